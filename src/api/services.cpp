#include "api/services.h"

namespace berth::api {

void register_services(OperationTable& t) {
  // ECS answers a missing member with ClientException and other bad values with
  // InvalidParameterException; it has no ValidationException.
  t.add_service(ServiceModel::embedded("ecs"), {"ClientException", "InvalidParameterException"});
  t.add_service(ServiceModel::embedded("ecr"), {"ValidationException", "ValidationException"});
  t.add_service(ServiceModel::embedded("logs"), {"InvalidParameterException", "InvalidParameterException"});

  ecs::register_clusters(t);
  ecs::register_capacity_providers(t);
  ecs::register_task_definitions(t);
  ecs::register_tags(t);
  ecs::register_account_settings(t);
}

}  // namespace berth::api
