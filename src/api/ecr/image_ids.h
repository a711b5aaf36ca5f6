#pragma once
// How ECR requests name an image (imageId: a digest, a tag, or both) and how one is found.
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "api/context.h"
#include "state/ecr_store.h"

namespace berth::api::ecr {

struct ImageId {
  std::optional<std::string> digest, tag;
};

ImageId image_id(const json::Value& v);
void write_image_id(json::Writer& w, const ImageId& id);
// `{imageDigest:'D', imageTag:'T'}` ('null' for a missing one), as ECR's messages show an id.
std::string describe_id(const ImageId& id);
// ECR's own digest rule, stricter than OCI's grammar: `[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+`, whole.
bool ecr_digest_syntax(std::string_view d);
// The image an identifier names (by digest, whose tag must then point at it, or by tag), or
// the failure code and reason that BatchGetImage reports for it.
std::variant<state::ImageRow, std::pair<std::string, std::string>> resolve(state::EcrStore& store, std::int64_t repo,
                                                                         const ImageId& id);

}  // namespace berth::api::ecr
