#pragma once
// The load balancers' data plane: serves every listener of the ELBv2 state on 127.0.0.1:PORT
// (when the port is free), runs the health checks, ends draining, and serves connections the
// main HTTP server hands over because their Host names a load balancer.
//
// One thread runs one io_context; everything below (routing table, balancer, upstream pool,
// health checker) lives on it, so nothing there takes a lock. Other threads call wake(),
// serves_host() and adopt(), which only post work or read the table under a mutex.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "elb/routing_table.h"
#include "state/db.h"

namespace berth::elb {

struct DataPlaneOptions {
  std::string host = "127.0.0.1";  // where listeners are served
  // Multiplies health-check intervals and timeouts (tests shorten the API's 5 s minimum).
  double health_check_scale = 1.0;
  // How often the AWS/ApplicationELB datapoints of the period that ended are written into the
  // metrics store (--metrics-publish-interval; a minute, as ALB).
  std::chrono::milliseconds metrics_publish_every{60'000};
  // Called (on the data plane's thread) after a target's health changed or its draining ended,
  // with the target groups concerned: the ECS service scheduler re-evaluates its services.
  std::function<void(const std::vector<std::string>& target_groups)> on_targets_changed;
};

class DataPlane {
 public:
  DataPlane(state::Database& db, const Clock& clock, DataPlaneOptions options = {});
  ~DataPlane();
  DataPlane(const DataPlane&) = delete;
  DataPlane& operator=(const DataPlane&) = delete;

  // berth's own API port on loopback (set before start()): a target there is refused with a 502,
  // since a request forwarded to it keeps its Host, which names the balancer, and would be handed
  // back to this data plane without end.
  void set_api_port(unsigned short port);
  void start();  // loads the state, binds listeners, starts the thread
  void stop();   // closes listeners and connections; joins the thread

  // ELBv2 rows changed (after commit): rebuild the routing table. Cheap; coalesced.
  void wake();
  // Whether a Host header names a load balancer with a listener berth can serve over HTTP.
  bool serves_host(std::string_view host) const;
  // Takes over a client connection whose request header (`initial`, plus any bytes read after
  // it) was read by the main server; `host` picks the listener.
  void adopt(int fd, std::string initial, std::string host);

  std::shared_ptr<const RoutingTable> table() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::elb
