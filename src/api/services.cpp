#include "api/services.h"

#include "api/autoscaling/registration.h"
#include "api/cloudwatch/registration.h"
#include "api/ecr/registration.h"
#include "api/logs/registration.h"

namespace berth::api {

void register_services(OperationTable& t) {
  // ECS answers a missing member with ClientException and other bad values with
  // InvalidParameterException; it has no ValidationException.
  t.add_service(ServiceModel::embedded("ecs"), {"ClientException", "InvalidParameterException"});
  // ECR words its input errors as InvalidParameterException, each in its own form.
  t.add_service(ServiceModel::embedded("ecr"), {"InvalidParameterException", "InvalidParameterException", false, true});
  t.add_service(ServiceModel::embedded("logs"), {"InvalidParameterException", "InvalidParameterException"});
  // The query services answer broken input with ValidationError ("1 validation error detected: ...").
  // Their messages name members in lowerCamel case: "Value null at 'roleName' ...".
  t.add_service(ServiceModel::embedded("iam"), {"ValidationError", "ValidationError", true});
  t.add_service(ServiceModel::embedded("sts"), {"ValidationError", "ValidationError", true});
  t.add_service(ServiceModel::embedded("elbv2"), {"ValidationError", "ValidationError", true});
  // CloudWatch models its own: MissingParameter and InvalidParameterValue on the query wire.
  t.add_service(ServiceModel::embedded("cloudwatch"),
                {"MissingRequiredParameterException", "InvalidParameterValueException"});
  t.add_service(ServiceModel::embedded("application-autoscaling"), {});

  ecs::register_clusters(t);
  ecs::register_capacity_providers(t);
  ecs::register_task_definitions(t);
  ecs::register_tags(t);
  ecs::register_account_settings(t);
  ecs::register_tasks(t);
  ecs::register_container_instances(t);
  ecs::register_attributes(t);
  ecs::register_ecs_services(t);

  ecr::register_repositories(t);
  ecr::register_images(t);
  ecr::register_auth(t);
  ecr::register_layers(t);
  ecr::register_policies(t);
  ecr::register_lifecycle(t);
  ecr::register_tags(t);
  ecr::register_registry(t);
  ecr::register_scanning(t);
  ecr::register_pull_through_cache(t);
  ecr::register_creation_templates(t);

  logs::register_destinations(t);
  logs::register_export_tasks(t);
  logs::register_records(t);
  logs::register_query_definitions(t);
  logs::register_groups(t);
  logs::register_streams(t);
  logs::register_events(t);
  logs::register_tags(t);
  logs::register_queries(t);
  logs::register_metric_filters(t);
  logs::register_subscription_filters(t);
  logs::register_resource_policies(t);

  cloudwatch::register_metrics(t);
  cloudwatch::register_metric_data(t);
  cloudwatch::register_alarms(t);

  autoscaling::register_targets(t);
  autoscaling::register_policies(t);
  autoscaling::register_scheduled_actions(t);

  iam::register_roles(t);
  iam::register_policies(t);
  iam::register_role_policies(t);
  iam::register_instance_profiles(t);
  iam::register_tags(t);
  sts::register_sessions(t);
  elbv2::register_load_balancers(t);
  elbv2::register_target_groups(t);
  elbv2::register_targets(t);
  elbv2::register_listeners(t);
  elbv2::register_rules(t);
  elbv2::register_tags(t);
}

}  // namespace berth::api
