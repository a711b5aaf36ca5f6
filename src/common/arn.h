#pragma once
// Amazon Resource Names: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
#include <optional>
#include <string>
#include <string_view>

namespace berth {

struct Arn {
  std::string partition = "aws";
  std::string service;
  std::string region;
  std::string account;
  std::string resource;  // e.g. "cluster/demo", "task-definition/web:3"

  static std::optional<Arn> parse(std::string_view text);
  std::string str() const;
  // The part of `resource` before the first '/' or ':' ("cluster", "task-definition").
  std::string_view resource_type() const;
  // The part after it ("demo", "web:3").
  std::string_view resource_id() const;
};

namespace arns {
std::string ecs(std::string_view region, std::string_view account, std::string_view resource);
std::string cluster(std::string_view region, std::string_view account, std::string_view name);
std::string task_definition(std::string_view region, std::string_view account,
                            std::string_view family, long revision);
std::string capacity_provider(std::string_view region, std::string_view account,
                              std::string_view name);
// CloudWatch Logs: "arn:aws:logs:REGION:ACCOUNT:log-group:NAME" (DescribeLogGroups' `arn` adds
// ":*"), and a stream's "...:log-group:NAME:log-stream:STREAM".
std::string log_group(std::string_view region, std::string_view account, std::string_view name);
std::string log_stream(std::string_view region, std::string_view account, std::string_view group,
                       std::string_view stream);
// The IAM root principal of an account, as ECS reports it for account settings.
std::string root_principal(std::string_view account);
}  // namespace arns

}  // namespace berth
