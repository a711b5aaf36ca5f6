#include "ecs/role_trust.h"

#include <map>
#include <string>
#include <vector>

#include "common/arn.h"
#include "iam/trust_policy.h"
#include "state/iam_store.h"

namespace berth::ecs {
namespace {
// ECS's text (RunTask's ClientException; a service's "failed to launch a task" event quotes it).
AwsError unable_to_assume(std::string_view role_arn) {
  return AwsError::client("ClientException",
                          "ECS was unable to assume the role '" + std::string(role_arn) +
                              "' that was provided for this task. Please verify that the role being passed has the "
                              "proper trust relationship and permissions and that your IAM user has permissions to "
                              "pass this role.");
}

bool refuses_ecs(state::Connection& db, std::string_view account, std::string_view role_arn,
                 std::string_view cluster_arn) {
  auto parsed = Arn::parse(role_arn);
  if (!parsed || parsed->service != "iam") return false;
  auto role = state::IamStore(db, parsed->account).role_by_arn(role_arn);
  if (!role) return false;
  std::map<std::string, std::vector<std::string>> keys{{"aws:SourceAccount", {std::string(account)}},
                                                        {"aws:SourceArn", {std::string(cluster_arn)}}};
  return !iam::trust_allows(role->trust_policy, iam::service_principal("ecs-tasks.amazonaws.com"), role->arn,
                            std::move(keys));
}
}  // namespace

std::optional<AwsError> untrusted_task_role(state::Connection& db, std::string_view account,
                                            const json::Value& task_definition, const json::Value* overrides,
                                            std::string_view cluster_arn) {
  for (const char* field : {"taskRoleArn", "executionRoleArn"}) {
    auto arn = overrides ? json::get_string(*overrides, field) : std::nullopt;
    if (!arn) arn = json::get_string(task_definition, field);
    if (arn && !arn->empty() && refuses_ecs(db, account, *arn, cluster_arn)) return unable_to_assume(*arn);
  }
  return std::nullopt;
}

}  // namespace berth::ecs
