#include "api/authorization.h"

#include "common/arn.h"
#include "iam/managed_policies.h"
#include "iam/policy_evaluator.h"
#include "state/iam_store.h"

namespace berth::api {

std::string iam_action_prefix(std::string_view service) {
  if (service == "elbv2" || service == "elasticloadbalancingv2") return "elasticloadbalancing";
  if (service == "monitoring") return "cloudwatch";
  return std::string(service);
}

std::optional<AwsError> authorize(state::Connection& c, const Identity& caller, std::string_view action,
                                  std::string_view resource, bool query_protocol) {
  if (caller.is_root()) return std::nullopt;
  // The role's policies as they are now: a policy attached after the key was minted applies.
  std::vector<std::string> documents;
  auto arn = Arn::parse(*caller.role_arn);
  state::IamStore store(c, arn ? arn->account : caller.account);
  if (auto role = store.role_by_arn(*caller.role_arn)) {
    documents = store.role_policy_documents(role->role_id);
    for (const auto& p : store.attached(role->role_id)) {
      if (const auto* m = berth::iam::aws_managed_policy(p)) {
        documents.emplace_back(m->document);
      } else if (auto row = store.policy(p)) {
        if (auto v = store.version(p, row->default_version)) documents.push_back(v->document);
      }
    }
  }
  std::vector<std::string_view> views(documents.begin(), documents.end());
  berth::iam::AuthzRequest request{std::string(action), std::string(resource), {}, std::nullopt};
  auto decision = berth::iam::evaluate(views, request);
  if (decision == berth::iam::Decision::Allow) return std::nullopt;
  std::string message = "User: " + caller.arn + " is not authorized to perform: " + std::string(action) +
                        " on resource: " + std::string(resource) +
                        (decision == berth::iam::Decision::ExplicitDeny
                             ? " with an explicit deny in an identity-based policy"
                             : " because no identity-based policy allows the " + std::string(action) + " action");
  return query_protocol ? AwsError::client("AccessDenied", message, 403)
                        : AwsError::client("AccessDeniedException", message, 400);
}

}  // namespace berth::api
