#pragma once
// RegisterTaskDefinition's checks and what ECS fills in, kept apart from the handler so they
// read as the list of rules they are.
#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "common/aws_error.h"
#include "common/json.h"

namespace berth::api::ecs {

struct TaskSize {
  std::optional<long> cpu;     // CPU units
  std::optional<long> memory;  // MiB
};

// Checks the request as ECS does, one failure at a time, and returns the task size it read.
std::variant<TaskSize, AwsError> check_task_definition(const json::Value& in);

// The capabilities ECS lists in requiresAttributes, in ECS's order.
std::vector<std::string> required_attributes(const json::Value& in);

// "EC2", plus "FARGATE" when the definition also fits Fargate, plus "EXTERNAL" when asked.
std::vector<std::string> compatibilities(const json::Value& in, const TaskSize& size);

}  // namespace berth::api::ecs
