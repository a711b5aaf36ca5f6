#pragma once
// How ECS requests name resources: a short name, or a full ARN of the caller's account and
// region.
#include <optional>
#include <variant>
#include <string>
#include <string_view>

#include "api/context.h"

namespace berth::api::ecs {

// A cluster name from "NAME" or "arn:aws:ecs:REGION:ACCOUNT:cluster/NAME"; nullopt when the
// identifier is an ARN of another kind, account or region (ECS treats those as not found).
std::optional<std::string> cluster_name(const OpContext& ctx, std::string_view identifier);
// The cluster named by an optional request member, "default" when absent.
std::string_view cluster_or_default(const json::Value& input, const char* member = "cluster");

struct TaskDefinitionRef {
  std::string family;
  std::optional<std::int64_t> revision;  // absent: the latest ACTIVE revision
};
// "family", "family:revision" or a task-definition ARN; nullopt when malformed or foreign.
std::optional<TaskDefinitionRef> task_definition_ref(const OpContext& ctx, std::string_view identifier);
// ECS's answer to a revision that is not a number ("web:foo", or an ARN ending so):
// InvalidParameterException "Invalid revision number. Number: foo". nullopt otherwise.
std::optional<AwsError> revision_error(std::string_view identifier);

bool valid_name(std::string_view name);  // ^[a-zA-Z0-9_-]{1,255}$

// maxResults and nextToken of a List call: limit and decoded cursor, or the error to answer.
struct Page {
  int limit = 100;
  std::string cursor;  // empty on the first page
};
std::variant<Page, AwsError> page_of(const json::Value& input, int max, int default_limit);

}  // namespace berth::api::ecs
