#pragma once
// Pure rules of ECR's registry-wide settings, shared by their handlers and unit-tested alone.
#include <optional>
#include <string>
#include <string_view>

namespace berth::api::ecr {

// The shape check ECR applies to resource policies (repository, registry, templates): an object
// with a Statement (one or a list), each with an Effect, an Action and a Principal. berth
// enforces no resource policy: it checks and keeps them. (policies.cpp)
bool valid_resource_policy(std::string_view text);

// Whether a WILDCARD repository filter of a scanning rule matches a repository name: `*`
// matches any run of characters, anything else itself. (scanning.cpp)
bool scan_filter_matches(std::string_view filter, std::string_view name);

// A pull through cache rule's upstream: the upstreamRegistry value ECR gives a URL, and whether
// the upstream needs a credentialArn (a Secrets Manager secret). (pull_through_cache.cpp)
struct Upstream {
  std::string registry;  // ecr-public, k8s, quay, docker-hub, github-container-registry, ...
  bool needs_credential = false;
};
std::optional<Upstream> upstream_of(std::string_view url);

}  // namespace berth::api::ecr
