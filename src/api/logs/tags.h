#pragma once
// Log group tags, shared by CreateLogGroup and the tagging operations.
#include <optional>
#include <vector>

#include "api/context.h"
#include "state/tags_store.h"

namespace berth::api::logs {

// Tags from a request's map member ({"key": "value"}).
std::vector<state::Tag> tags_of(const json::Value& input, const char* member);
// The error for tags no log group may carry (reserved "aws:" keys).
std::optional<AwsError> check_tags(const std::vector<state::Tag>& tags);

}  // namespace berth::api::logs
