#pragma once
// What in a task definition reaches past the container into the host. berth runs tasks on the
// user's own Docker daemon, where a privileged container, a host bind mount, a device or host
// networking is root on this machine: FARGATE tasks never get them (ECS refuses them for
// Fargate at RegisterTaskDefinition and RunTask), EC2 and EXTERNAL tasks only when berth was
// started with --allow-host-access. Pure: the task definition document in, a message out.
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace berth::ecs {

// The first field Fargate does not support, worded as ECS's ClientException; nullopt when the
// definition fits Fargate as far as the host is concerned.
std::optional<std::string> fargate_refusal(const json::Value& task_definition);

// RunTask's check for a task of `launch_type`: Fargate's rules for FARGATE; for EC2 and
// EXTERNAL, the host-reaching fields unless `allow_host_access`. nullopt: the task may run.
std::optional<std::string> host_access_refusal(const json::Value& task_definition, std::string_view launch_type,
                                               bool allow_host_access);

}  // namespace berth::ecs
