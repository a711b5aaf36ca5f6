#pragma once
// Load balancer and target group attributes: the defaults ELBv2 reports for each type, and the
// checks ModifyLoadBalancerAttributes / ModifyTargetGroupAttributes make. Stored as one JSON
// object {"key": "value"} per resource; the data plane reads the keys it honours.
#include <map>
#include <optional>
#include <string>

#include "common/aws_error.h"
#include "common/json.h"

namespace berth::api::elbv2 {

using AttributeMap = std::map<std::string, std::string>;

AttributeMap load_balancer_defaults(std::string_view type);  // application | network
// protocol HTTP/HTTPS or TCP/UDP/TLS/TCP_UDP; target_type instance/ip
AttributeMap target_group_defaults(std::string_view protocol, std::string_view target_type);

// Applies [{"Key","Value"}] to `attrs`; an unknown key or a bad value is a ValidationError and
// leaves `attrs` as it was.
std::optional<AwsError> apply_attributes(AttributeMap& attrs, const json::Value& list, bool load_balancer);

std::string attributes_json(const AttributeMap& attrs);
AttributeMap parse_attributes(std::string_view json_text);
// Writes {"Attributes": [{"Key","Value"}...]}.
std::string attributes_reply(const AttributeMap& attrs);

}  // namespace berth::api::elbv2
