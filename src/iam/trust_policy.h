#pragma once
// A role's trust policy (AssumeRolePolicyDocument) asked whether a caller may assume the role:
// sts:AssumeRole on the role's ARN, evaluated by policy_evaluator with the caller as Principal
// and the condition keys STS sets for the call.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iam/policy_evaluator.h"

namespace berth::iam {

// An AWS caller: an account root (`arn:aws:iam::A:root`), or a role session
// (`arn:aws:sts::A:assumed-role/R/S`, with the role's ARN `role_arn`), or another IAM ARN.
PrincipalRef aws_principal(std::string_view account, std::string_view caller_arn,
                           std::optional<std::string_view> role_arn = std::nullopt);
// A service principal such as "ecs-tasks.amazonaws.com" (ECS assuming a task's role).
PrincipalRef service_principal(std::string_view service);

// Whether `trust_document` allows `who` sts:AssumeRole on `role_arn`. `keys` are the call's own
// condition keys (sts:RoleSessionName, sts:ExternalId, aws:SourceAccount, ...); aws:PrincipalArn,
// aws:PrincipalAccount, aws:PrincipalType and aws:PrincipalServiceName are added from `who`.
// An explicit Deny wins; a document that does not parse allows nobody.
bool trust_allows(std::string_view trust_document, const PrincipalRef& who, std::string_view role_arn,
                  std::map<std::string, std::vector<std::string>> keys = {});

}  // namespace berth::iam
