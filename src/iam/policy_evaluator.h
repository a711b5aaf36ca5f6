#pragma once
// IAM's identity-policy evaluation, pure: given policy documents and one request (action,
// resource, condition keys) it answers Allow, an implicit deny (no statement allows) or an
// explicit deny (a Deny statement matches: it wins over any Allow).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::iam {

// Who asks, for a resource-based policy such as a role's trust policy, whose statements name
// their Principal. Identity policies have none and leave AuthzRequest::principal empty.
struct PrincipalRef {
  std::string account;  // the caller's 12-digit account (empty for a service)
  // The ARNs a Principal entry may name for this caller: an account root, an IAM user, or a
  // role session's role ARN and its session ARN (arn:aws:sts::A:assumed-role/R/S).
  std::vector<std::string> arns;
  std::string service;  // a service principal, e.g. "ecs-tasks.amazonaws.com"
};

struct AuthzRequest {
  std::string action;    // "ecs:ListClusters"
  std::string resource;  // "*" or an ARN
  // Condition keys (any case; IAM compares key names case-insensitively), each with its values.
  std::map<std::string, std::vector<std::string>> keys;
  // Set for resource-based policies: a statement applies only when its Principal names the
  // caller (or its NotPrincipal does not).
  std::optional<PrincipalRef> principal;
};

// Whether a Principal element (`"*"`, {"AWS": ...}, {"Service": ...}, {"Federated": ...}) names
// the caller. "AWS" entries match "*", the account id or its root ARN (the whole account), or one
// of the caller's ARNs exactly.
bool principal_matches(const PrincipalRef& who, std::string_view principal_json);

enum class Decision { ImplicitDeny, Allow, ExplicitDeny };

// Evaluates the documents together (a role's inline and attached policies). A document that
// does not parse counts as granting nothing.
Decision evaluate(const std::vector<std::string_view>& documents, const AuthzRequest& request);

// IAM's wildcards: `*` any run of characters, `?` one character.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case);

// Why a policy document is refused (MalformedPolicyDocument's message), or nullopt when
// IAM would accept it: JSON object, a Statement (object or array) whose entries have an
// Effect of Allow or Deny and an Action or NotAction.
std::optional<std::string> policy_syntax_error(std::string_view document);

}  // namespace berth::iam
