#pragma once
// --enforce-iam: a call signed with a role session's credentials (a task role, AssumeRole)
// runs only if the role's identity policies (inline and attached, AWS managed included) allow
// `prefix:Operation` on the resource; account-root callers are never refused.
#include <optional>
#include <string>
#include <string_view>

#include "api/identity.h"
#include "common/aws_error.h"
#include "state/db.h"

namespace berth::api {

// The action prefix IAM uses for a service berth serves by its model name (elbv2 is
// "elasticloadbalancing", ...).
std::string iam_action_prefix(std::string_view service);

// nullopt when allowed; else AccessDenied in the protocol's words (AccessDeniedException for
// JSON protocols, AccessDenied with 403 for query).
std::optional<AwsError> authorize(state::Connection& c, const Identity& caller, std::string_view action,
                                  std::string_view resource, bool query_protocol);

}  // namespace berth::api
