#include "api/elbv2/errors.h"

namespace berth::api::elbv2::errors {
namespace {
AwsError sender(const char* code, std::string message) { return AwsError::client(code, std::move(message)); }
}  // namespace

AwsError validation(std::string message) { return sender("ValidationError", std::move(message)); }
AwsError load_balancer_not_found() { return sender("LoadBalancerNotFound", "One or more load balancers not found"); }
AwsError target_group_not_found() { return sender("TargetGroupNotFound", "One or more target groups not found"); }
AwsError listener_not_found() { return sender("ListenerNotFound", "One or more listeners not found"); }
AwsError rule_not_found() { return sender("RuleNotFound", "One or more rules not found"); }
AwsError duplicate_load_balancer_name(std::string_view name) {
  return sender("DuplicateLoadBalancerName",
                "A load balancer with the same name '" + std::string(name) + "' exists, but with different settings");
}
AwsError duplicate_target_group_name(std::string_view name) {
  return sender("DuplicateTargetGroupName",
                "A target group with the same name '" + std::string(name) + "' exists, but with different settings");
}
AwsError duplicate_listener() { return sender("DuplicateListener", "A listener already exists on this port for this load balancer"); }
AwsError priority_in_use(int priority) {
  return sender("PriorityInUse", "Priority '" + std::to_string(priority) + "' is currently in use");
}
AwsError resource_in_use(std::string message) { return sender("ResourceInUse", std::move(message)); }
AwsError invalid_target(std::string message) { return sender("InvalidTarget", std::move(message)); }
AwsError incompatible_protocols(std::string message) { return sender("IncompatibleProtocols", std::move(message)); }
AwsError unsupported_protocol(std::string message) { return sender("UnsupportedProtocol", std::move(message)); }
AwsError operation_not_permitted(std::string message) { return sender("OperationNotPermitted", std::move(message)); }
AwsError invalid_configuration(std::string message) { return sender("InvalidConfigurationRequest", std::move(message)); }
AwsError invalid_action(std::string message) { return sender("InvalidLoadBalancerAction", std::move(message)); }
AwsError duplicate_tag_keys(std::string_view key) {
  return sender("DuplicateTagKeys", "Tag key '" + std::string(key) + "' is duplicated");
}
AwsError too_many_tags() { return sender("TooManyTags", "Too many tags: a resource can have at most 50"); }

}  // namespace berth::api::elbv2::errors
