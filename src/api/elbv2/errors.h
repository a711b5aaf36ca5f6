#pragma once
// ELBv2 errors with the codes (the model's awsQueryError codes, not its shape names) and the
// texts Elastic Load Balancing answers with. All are sender faults (HTTP 400).
#include <string>
#include <string_view>

#include "common/aws_error.h"

namespace berth::api::elbv2::errors {

AwsError validation(std::string message);                 // ValidationError
AwsError load_balancer_not_found();                       // LoadBalancerNotFound
AwsError target_group_not_found();                        // TargetGroupNotFound
AwsError listener_not_found();                            // ListenerNotFound
AwsError rule_not_found();                                // RuleNotFound
AwsError duplicate_load_balancer_name(std::string_view name);
AwsError duplicate_target_group_name(std::string_view name);
AwsError duplicate_listener();
AwsError priority_in_use(int priority);
AwsError resource_in_use(std::string message);            // ResourceInUse
AwsError invalid_target(std::string message);             // InvalidTarget
AwsError incompatible_protocols(std::string message);     // IncompatibleProtocols
AwsError unsupported_protocol(std::string message);       // UnsupportedProtocol
AwsError operation_not_permitted(std::string message);    // OperationNotPermitted
AwsError invalid_configuration(std::string message);      // InvalidConfigurationRequest
AwsError invalid_action(std::string message);             // InvalidLoadBalancerAction
AwsError duplicate_tag_keys(std::string_view key);        // DuplicateTagKeys
AwsError too_many_tags();                                 // TooManyTags

}  // namespace berth::api::elbv2::errors
