#pragma once
// Health checks from berth to each registered target of a group some listener uses: an HTTP
// GET of the group's path (User-Agent ELB-HealthChecker/2.0) matched against its matcher, or a
// TCP connect, every interval with the group's timeout. Results go through health_state; only
// transitions are written to SQLite. Runs on the data plane's thread.
#include <boost/asio/io_context.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "elb/health_state.h"
#include "elb/routing_table.h"
#include "state/db.h"

namespace berth::elb {

class HealthChecker {
 public:
  // `changed` is told which target groups had a transition written.
  HealthChecker(boost::asio::io_context& io, state::Database& db, double scale,
                std::function<void(const std::vector<std::string>&)> changed);
  ~HealthChecker();
  // The targets to check: those of in-use groups that are not draining.
  void update(const RoutingTable& table);
  // Starts the checks that are due.
  void tick();

 private:
  struct Entry;
  void finish(const std::shared_ptr<Entry>& e, const CheckResult& r);
  boost::asio::io_context& io_;
  state::Database& db_;
  double scale_;
  std::function<void(const std::vector<std::string>&)> changed_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;
};

}  // namespace berth::elb
