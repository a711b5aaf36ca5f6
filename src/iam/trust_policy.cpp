#include "iam/trust_policy.h"

namespace berth::iam {

PrincipalRef aws_principal(std::string_view account, std::string_view caller_arn,
                           std::optional<std::string_view> role_arn) {
  PrincipalRef p;
  p.account = std::string(account);
  // aws:PrincipalArn of a role session is the role's ARN, so it goes first.
  if (role_arn) p.arns.emplace_back(*role_arn);
  p.arns.emplace_back(caller_arn);
  return p;
}

PrincipalRef service_principal(std::string_view service) {
  PrincipalRef p;
  p.service = std::string(service);
  return p;
}

bool trust_allows(std::string_view trust_document, const PrincipalRef& who, std::string_view role_arn,
                  std::map<std::string, std::vector<std::string>> keys) {
  AuthzRequest r;
  r.action = "sts:AssumeRole";
  r.resource = std::string(role_arn);
  r.principal = who;
  if (!who.arns.empty()) {
    keys["aws:PrincipalArn"] = {who.arns.front()};
    keys["aws:PrincipalAccount"] = {who.account};
    bool root = who.arns.back().ends_with(":root");
    keys["aws:PrincipalType"] = {root ? "Account" : who.arns.size() > 1 ? "AssumedRole" : "User"};
  }
  if (!who.service.empty()) keys["aws:PrincipalServiceName"] = {who.service};
  r.keys = std::move(keys);
  return evaluate({trust_document}, r) == Decision::Allow;
}

}  // namespace berth::iam
