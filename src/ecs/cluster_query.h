#pragma once
// ECS's cluster query language, which memberOf constraints and ListContainerInstances' filter
// are written in: `SUBJECT OPERATOR [ARGUMENT]` joined by and/&&, or/||, not/!, parentheses.
// Subjects: attribute:NAME, ec2InstanceId, agentConnected, agentVersion, runningTasksCount,
// registeredAt, task:group. Operators: ==, !=, exists, !exists, in, not_in (!in), =~, !~ and,
// for numbers and dates, >, >=, <, <=. Pure: parsing and evaluating touch nothing else.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace berth::ecs {

// What an expression may ask about one container instance.
struct InstanceFacts {
  std::map<std::string, std::optional<std::string>> attributes;  // name -> value (nullopt: no value)
  std::string ec2_instance_id;
  std::string agent_version;
  bool agent_connected = true;
  std::int64_t running_tasks = 0;
  std::int64_t registered_at_millis = 0;
  std::vector<std::string> task_groups;  // groups of the tasks on the instance
};

class ClusterQuery {
 public:
  struct Node;
  // The parsed expression, or why it is not one (for InvalidParameterException).
  static std::variant<ClusterQuery, std::string> parse(std::string_view text);
  bool matches(const InstanceFacts& facts) const;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace berth::ecs
