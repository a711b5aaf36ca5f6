#pragma once
// Elastic Load Balancing v2 rows: load balancers, target groups, listeners, rules, and the
// targets registered in each group with their health. Rows keep what berth filters on; `doc`
// holds the API object berth echoes.
//
// The target functions at the end are also the interface of the ECS service scheduler (it
// registers and deregisters its tasks' addresses) and of the ELB data plane (it writes health
// transitions and ends draining). Whoever writes calls its wake callback after the commit.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct LoadBalancerRow {
  std::string arn, name, type, dns_name, state;
  std::int64_t created_at = 0;
  std::string doc, attributes;
  std::string account, region;
};

struct TargetGroupRow {
  std::string arn, name;
  std::int64_t created_at = 0;
  std::string doc, attributes;
  std::string account, region;
};

struct ListenerRow {
  std::string arn, lb_arn;
  int port = 0;
  std::string protocol;
  std::int64_t created_at = 0;
  std::string doc;
};

struct RuleRow {
  std::string arn, listener_arn;
  std::optional<int> priority;  // nullopt: the default rule
  std::string doc;              // {"Conditions": [...], "Actions": [...]}
  bool is_default() const { return !priority; }
};

// The health states berth stores; "unused" is derived when reading.
namespace target_state {
inline constexpr const char* initial = "initial";
inline constexpr const char* healthy = "healthy";
inline constexpr const char* unhealthy = "unhealthy";
inline constexpr const char* draining = "draining";
}  // namespace target_state

struct TargetRow {
  std::string tg_arn, id;
  int port = 0;
  std::optional<std::string> az;
  std::string state;
  std::optional<std::string> reason, description;
  std::int64_t registered_at = 0;
  std::optional<std::int64_t> drain_until;  // epoch millis; set while draining
};

class Elbv2Store {
 public:
  Elbv2Store(Connection& c, Scope scope) : c_(c), scope_(std::move(scope)) {}

  // Load balancers (by ARN or name within the scope; dns_name across scopes).
  std::optional<LoadBalancerRow> load_balancer(std::string_view arn);
  std::optional<LoadBalancerRow> load_balancer_named(std::string_view name);
  std::optional<LoadBalancerRow> load_balancer_by_dns(std::string_view dns_name);
  std::vector<LoadBalancerRow> load_balancers();  // the scope's, by name
  std::vector<LoadBalancerRow> all_load_balancers();  // every scope's (the data plane)
  void put_load_balancer(const LoadBalancerRow& row);  // insert or replace by ARN
  void set_load_balancer_state(std::string_view arn, std::string_view state);
  void delete_load_balancer(std::string_view arn);  // listeners and rules go with it

  std::optional<TargetGroupRow> target_group(std::string_view arn);
  std::optional<TargetGroupRow> target_group_named(std::string_view name);
  std::vector<TargetGroupRow> target_groups();
  std::vector<TargetGroupRow> all_target_groups();
  void put_target_group(const TargetGroupRow& row);
  void delete_target_group(std::string_view arn);  // its targets go with it

  std::optional<ListenerRow> listener(std::string_view arn);
  std::vector<ListenerRow> listeners_of(std::string_view lb_arn);  // by port
  std::vector<ListenerRow> all_listeners();
  void put_listener(const ListenerRow& row);
  void delete_listener(std::string_view arn);

  std::optional<RuleRow> rule(std::string_view arn);
  // A listener's rules by priority, the default rule last.
  std::vector<RuleRow> rules_of(std::string_view listener_arn);
  // Inserts or replaces the rule and records the target groups its actions forward to.
  void put_rule(const RuleRow& row, const std::vector<std::string>& target_groups);
  void delete_rule(std::string_view arn);

  // The load balancers whose rules forward to the group (distinct, sorted).
  std::vector<std::string> load_balancers_using(std::string_view tg_arn);
  // Target groups some rule of the load balancer forwards to.
  std::vector<std::string> target_groups_of(std::string_view lb_arn);

  // Targets.
  std::vector<TargetRow> targets(std::string_view tg_arn);
  std::optional<TargetRow> target(std::string_view tg_arn, std::string_view id, int port);
  // Registers a target as initial (Elb.RegistrationInProgress). A target already registered
  // keeps its health; one draining is registered again. Returns true when something changed.
  bool register_target(std::string_view tg_arn, std::string_view id, int port,
                       const std::optional<std::string>& az, std::int64_t now);
  // Starts draining: state draining (Target.DeregistrationInProgress) until now + delay.
  // Returns false when the target is not registered; one already draining keeps its deadline.
  bool deregister_target(std::string_view tg_arn, std::string_view id, int port, std::int64_t drain_until);
  // Records a health transition (the data plane writes only changes). False when the target is
  // gone or draining (a deregistration wins over a late health check).
  bool set_target_health(std::string_view tg_arn, std::string_view id, int port, std::string_view state,
                         const std::optional<std::string>& reason, const std::optional<std::string>& description);
  // Removes one draining target before (or at) its deadline, but only while it still drains
  // toward `drain_until`: one registered again, or deregistered again since, stays. True when removed.
  bool end_draining(std::string_view tg_arn, std::string_view id, int port, std::int64_t drain_until);

 private:
  Connection& c_;
  Scope scope_;
};

}  // namespace berth::state
