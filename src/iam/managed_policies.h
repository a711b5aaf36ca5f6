#pragma once
// The AWS managed policies berth serves in every account, with the documents AWS publishes
// for them (AWS managed policy reference). They live in code, not rows: AWS owns them and no
// account can change them.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth::iam {

struct ManagedPolicy {
  std::string_view name;
  std::string_view path;            // "/" or "/service-role/", ...
  std::string_view policy_id;       // ANPA + 17 characters
  std::string_view description;
  std::string_view default_version; // "v1", ...
  std::int64_t created_at;          // epoch millis
  std::int64_t updated_at;
  std::string_view document;        // the default version's JSON
  bool attachable = true;           // service-linked role policies are not
};

const std::vector<ManagedPolicy>& aws_managed_policies();
// The policy of an ARN `arn:aws:iam::aws:policy/PATH/NAME`; null when berth has none.
const ManagedPolicy* aws_managed_policy(std::string_view arn);
std::string arn_of(const ManagedPolicy& p);

}  // namespace berth::iam
