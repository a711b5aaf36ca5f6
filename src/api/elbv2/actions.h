#pragma once
// Listener and rule actions and rule conditions: checked as ELBv2 checks them and normalized
// to the form it echoes (a forward action carries both TargetGroupArn and ForwardConfig).
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/context.h"
#include "state/elbv2_store.h"

namespace berth::api::elbv2 {

struct CheckedActions {
  rapidjson::Value actions;                // normalized, allocated in the caller's document
  std::vector<std::string> target_groups;  // every group forwarded to
};

// `listener_protocol`: HTTP for application load balancers, TCP/UDP/TLS/TCP_UDP for network.
std::variant<CheckedActions, AwsError> check_actions(state::Elbv2Store& store, const json::Value& actions,
                                                     std::string_view listener_protocol,
                                                     rapidjson::Document::AllocatorType& a);

// Normalized conditions (Values mirrored into the field's Config), or the ValidationError.
std::variant<rapidjson::Value, AwsError> check_conditions(const json::Value& conditions,
                                                          rapidjson::Document::AllocatorType& a);

}  // namespace berth::api::elbv2
