#include "common/arn.h"

namespace berth {

std::optional<Arn> Arn::parse(std::string_view text) {
  if (!text.starts_with("arn:")) return std::nullopt;
  Arn arn;
  std::string_view rest = text.substr(4);
  std::string* parts[] = {&arn.partition, &arn.service, &arn.region, &arn.account};
  for (std::string* part : parts) {
    auto colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    *part = std::string(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
  }
  if (arn.partition.empty() || arn.service.empty() || rest.empty()) return std::nullopt;
  arn.resource = std::string(rest);
  return arn;
}

std::string Arn::str() const {
  return "arn:" + partition + ":" + service + ":" + region + ":" + account + ":" + resource;
}

std::string_view Arn::resource_type() const {
  std::string_view r = resource;
  return r.substr(0, r.find_first_of("/:"));
}

std::string_view Arn::resource_id() const {
  std::string_view r = resource;
  auto sep = r.find_first_of("/:");
  return sep == std::string_view::npos ? std::string_view{} : r.substr(sep + 1);
}

namespace arns {
std::string ecs(std::string_view region, std::string_view account, std::string_view resource) {
  std::string s = "arn:aws:ecs:";
  s.append(region).append(":").append(account).append(":").append(resource);
  return s;
}
std::string cluster(std::string_view region, std::string_view account, std::string_view name) {
  return ecs(region, account, "cluster/" + std::string(name));
}
std::string task_definition(std::string_view region, std::string_view account,
                            std::string_view family, long revision) {
  return ecs(region, account,
             "task-definition/" + std::string(family) + ":" + std::to_string(revision));
}
std::string capacity_provider(std::string_view region, std::string_view account,
                              std::string_view name) {
  return ecs(region, account, "capacity-provider/" + std::string(name));
}
std::string log_group(std::string_view region, std::string_view account, std::string_view name) {
  std::string s = "arn:aws:logs:";
  s.append(region).append(":").append(account).append(":log-group:").append(name);
  return s;
}
std::string log_stream(std::string_view region, std::string_view account, std::string_view group,
                       std::string_view stream) {
  return log_group(region, account, group) + ":log-stream:" + std::string(stream);
}
std::string root_principal(std::string_view account) {
  return "arn:aws:iam::" + std::string(account) + ":root";
}
}  // namespace arns

}  // namespace berth
