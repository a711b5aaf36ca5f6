#pragma once
// Every AWS service berth serves: its model and its registration lists. Adding a service
// means one line here; adding an operation means one line in its resource file.
#include "api/operation_table.h"

namespace berth::api {

void register_services(OperationTable& table);

namespace ecs {
void register_clusters(OperationTable& t);
void register_capacity_providers(OperationTable& t);
void register_task_definitions(OperationTable& t);
void register_tags(OperationTable& t);
void register_account_settings(OperationTable& t);
void register_tasks(OperationTable& t);
void register_container_instances(OperationTable& t);
void register_attributes(OperationTable& t);
void register_ecs_services(OperationTable& t);  // ECS services (not this file's AWS services)
}  // namespace ecs

namespace ecr {
void register_repositories(OperationTable& t);
void register_images(OperationTable& t);
void register_auth(OperationTable& t);
void register_layers(OperationTable& t);
void register_policies(OperationTable& t);
void register_lifecycle(OperationTable& t);
void register_tags(OperationTable& t);
void register_registry(OperationTable& t);
}  // namespace ecr

namespace logs {
void register_groups(OperationTable& t);
void register_streams(OperationTable& t);
void register_events(OperationTable& t);
void register_tags(OperationTable& t);
void register_queries(OperationTable& t);
void register_metric_filters(OperationTable& t);
void register_subscription_filters(OperationTable& t);
void register_resource_policies(OperationTable& t);
}  // namespace logs

namespace iam {
void register_roles(OperationTable& t);
void register_policies(OperationTable& t);
void register_role_policies(OperationTable& t);
void register_instance_profiles(OperationTable& t);
void register_tags(OperationTable& t);
}  // namespace iam

namespace sts {
void register_sessions(OperationTable& t);
}  // namespace sts
namespace elbv2 {
void register_load_balancers(OperationTable& t);
void register_target_groups(OperationTable& t);
void register_targets(OperationTable& t);
void register_listeners(OperationTable& t);
void register_rules(OperationTable& t);
void register_tags(OperationTable& t);
}  // namespace elbv2

}  // namespace berth::api
