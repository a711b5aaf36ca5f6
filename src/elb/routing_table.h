#pragma once
// Everything the data plane needs to route, read from SQLite in one read transaction and
// never changed afterwards: a rebuild makes a new table and swaps it in whole, so a request
// sees one consistent state.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "elb/rule_match.h"
#include "state/db.h"

namespace berth::elb {

struct TargetEntry {
  std::string id;
  int port = 0;
  std::string address;  // ip targets: the id; instance targets: 127.0.0.1 (berth's host)
  std::string state;    // initial | healthy | unhealthy | draining
  std::optional<std::string> reason;
  std::optional<std::int64_t> drain_until;  // epoch millis, while draining
  std::string key() const { return address + ":" + std::to_string(port); }
};

struct HealthCheck {
  bool http = true;      // HTTP GET of path, else a TCP connect
  std::optional<int> port;  // nullopt: the target's port (traffic-port)
  std::string path = "/";
  std::string matcher = "200";
  int interval_seconds = 30, timeout_seconds = 6, healthy_threshold = 5, unhealthy_threshold = 2;
};

struct GroupEntry {
  std::string arn, name, protocol;
  HealthCheck health;
  std::string algorithm = "round_robin";  // or least_outstanding_requests, weighted_random
  bool sticky = false;                    // lb_cookie
  int sticky_seconds = 86400;
  int slow_start_seconds = 0;             // slow_start.duration_seconds; 0: off
  bool in_use = false;                    // some listener or rule forwards to it
  std::vector<TargetEntry> targets;
};

struct ListenerEntry {
  std::string arn, lb_arn, lb_name, dns_name, protocol;
  int port = 0;
  int idle_timeout_seconds = 60;
  std::string xff_mode = "append";
  std::vector<Rule> rules;  // by priority, the default rule last
};

struct RoutingTable {
  std::vector<ListenerEntry> listeners;  // by port
  std::map<std::string, GroupEntry> groups;
  std::vector<std::string> provisioning;  // load balancers still to be marked active

  const ListenerEntry* listener(std::string_view arn) const;
  const GroupEntry* group(std::string_view arn) const;
  // For a Host header naming a load balancer: DNSNAME[:PORT] -> the listener on PORT, else the
  // balancer's lowest-port HTTP listener. Null when the host names none.
  const ListenerEntry* listener_for_host(std::string_view host) const;
};

std::shared_ptr<const RoutingTable> load_routing_table(state::Connection& c);

}  // namespace berth::elb
