// The JSON body validator against ECS, ECR and Logs input shapes: any bytes, no crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/service_model.h"
#include "api/validator.h"

using namespace berth;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto ecs = api::ServiceModel::embedded("ecs");
  static const auto ecr = api::ServiceModel::embedded("ecr");
  static const auto logs = api::ServiceModel::embedded("logs");
  static const api::Shape* shapes[] = {
      ecs->operation("RegisterTaskDefinition")->input, ecs->operation("RunTask")->input,
      ecs->operation("CreateCluster")->input,          ecr->operation("PutImage")->input,
      ecr->operation("PutLifecyclePolicy")->input,     logs->operation("PutLogEvents")->input,
      logs->operation("FilterLogEvents")->input,
  };
  if (size == 0) return 0;
  const api::Shape* shape = shapes[data[0] % (sizeof shapes / sizeof shapes[0])];
  rapidjson::Document d;
  d.Parse<rapidjson::kParseStopWhenDoneFlag>(reinterpret_cast<const char*>(data + 1), size - 1);
  if (d.HasParseError()) return 0;
  (void)api::validate(*shape, d, {"ClientException", "InvalidParameterException"});
  return 0;
}
