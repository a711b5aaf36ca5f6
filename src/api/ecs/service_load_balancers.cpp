#include "api/ecs/service_load_balancers.h"

#include "api/ecs/errors.h"
#include "state/elbv2_store.h"

namespace berth::api::ecs {
namespace {

// The definition's container of that name, if any.
const json::Value* container_named(const json::Value& td, std::string_view name) {
  const json::Value* defs = json::member(td, "containerDefinitions");
  if (!defs || !defs->IsArray()) return nullptr;
  for (const auto& c : defs->GetArray())
    if (json::get_string(c, "name") == name) return &c;
  return nullptr;
}

bool maps_port(const json::Value& container, std::int64_t port) {
  const json::Value* mappings = json::member(container, "portMappings");
  if (!mappings || !mappings->IsArray()) return false;
  for (const auto& m : mappings->GetArray())
    if (json::get_int(m, "containerPort") == port) return true;
  return false;
}

}  // namespace

std::optional<AwsError> check_load_balancers(OpContext& ctx, const json::Value& lbs, const state::TaskDefinitionRow& td) {
  if (!lbs.IsArray()) return std::nullopt;
  rapidjson::Document tdoc;
  tdoc.Parse(td.doc.c_str(), td.doc.size());
  if (!tdoc.IsObject()) tdoc.SetObject();
  std::string mode(json::get_string(tdoc, "networkMode").value_or("bridge"));
  state::Elbv2Store elb(ctx.db, ctx.scope());
  for (const auto& lb : lbs.GetArray()) {
    auto tg_arn = json::get_string(lb, "targetGroupArn");
    if (!tg_arn) {
      // berth has no Classic Load Balancers: any name is one that does not exist.
      if (auto name = json::get_string(lb, "loadBalancerName"))
        return errors::invalid_parameter("The load balancer " + std::string(*name) + " does not exist.");
      // berth's wording: no source shows ECS's text for an entry naming neither.
      return errors::invalid_parameter("targetGroupArn must be specified for an Application or Network Load Balancer.");
    }
    auto tg = elb.target_group(*tg_arn);
    if (!tg)
      return errors::invalid_parameter(
          "Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role "
          "being passed has the proper permissions.");
    if (elb.load_balancers_using(*tg_arn).empty())
      return errors::invalid_parameter("The target group with targetGroupArn " + std::string(*tg_arn) +
                                       " does not have an associated load balancer.");
    rapidjson::Document tg_doc;
    tg_doc.Parse(tg->doc.c_str(), tg->doc.size());
    std::string type(tg_doc.IsObject() ? json::get_string(tg_doc, "TargetType").value_or("instance") : "instance");
    bool fits = mode == "awsvpc" ? type == "ip" : type == "instance";
    if (!fits)
      return errors::invalid_parameter("The provided target group " + std::string(*tg_arn) + " has target type " + type +
                                       ", which is incompatible with the " + mode +
                                       " network mode specified in the task definition.");
    auto name = json::get_string(lb, "containerName");
    auto port = json::get_int(lb, "containerPort");
    if (!name || name->empty()) return errors::invalid_parameter("Container Name can not be blank.");
    if (!port)  // berth's wording: no source shows ECS's text for a missing containerPort
      return errors::invalid_parameter("containerName and containerPort must be specified with a targetGroupArn.");
    const json::Value* container = container_named(tdoc, *name);
    if (!container)
      return errors::invalid_parameter("The container " + std::string(*name) + " does not exist in the task definition.");
    if (!maps_port(*container, *port))
      return errors::invalid_parameter("The container " + std::string(*name) + " did not have a container port " +
                                       std::to_string(*port) + " defined.");
  }
  return std::nullopt;
}

}  // namespace berth::api::ecs
