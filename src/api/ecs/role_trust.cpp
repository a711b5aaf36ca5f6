#include "api/ecs/role_trust.h"

#include "api/ecs/errors.h"
#include "common/arn.h"
#include "iam/trust_policy.h"
#include "state/iam_store.h"

namespace berth::api::ecs {
namespace {
// The text ECS answers RunTask with when it cannot assume a task's role.
AwsError unable_to_assume(std::string_view role_arn) {
  return errors::client("ECS was unable to assume the role '" + std::string(role_arn) +
                        "' that was provided for this task. Please verify that the role being passed has the proper "
                        "trust relationship and permissions and that your IAM user has permissions to pass this role.");
}

bool refuses_ecs(OpContext& ctx, std::string_view role_arn, std::string_view cluster_arn) {
  auto parsed = Arn::parse(role_arn);
  if (!parsed || parsed->service != "iam") return false;
  auto role = state::IamStore(ctx.db, parsed->account).role_by_arn(role_arn);
  if (!role) return false;
  // ECS assumes task roles as the service principal, naming the launching account and cluster
  // (aws:SourceAccount, aws:SourceArn) for confused-deputy conditions.
  std::map<std::string, std::vector<std::string>> keys{{"aws:SourceAccount", {ctx.account}},
                                                        {"aws:SourceArn", {std::string(cluster_arn)}}};
  return !berth::iam::trust_allows(role->trust_policy, berth::iam::service_principal("ecs-tasks.amazonaws.com"),
                                   role->arn, std::move(keys));
}
}  // namespace

std::optional<AwsError> untrusted_task_role(OpContext& ctx, const json::Value& task_definition,
                                            const json::Value* overrides, std::string_view cluster_arn) {
  if (!ctx.config.enforce_iam) return std::nullopt;
  for (const char* field : {"taskRoleArn", "executionRoleArn"}) {
    auto arn = overrides ? json::get_string(*overrides, field) : std::nullopt;
    if (!arn) arn = json::get_string(task_definition, field);
    if (arn && !arn->empty() && refuses_ecs(ctx, *arn, cluster_arn)) return unable_to_assume(*arn);
  }
  return std::nullopt;
}

}  // namespace berth::api::ecs
