#pragma once
// The HTTP/1.1 reverse proxy of application load balancers: reads a client's requests, applies
// the listener's rules, forwards to a target over a pooled keep-alive connection and answers
// as ALB does when that fails: 503 (no target), 502 (reset or garbage), 504 (timeout).
// The only translation unit of src/elb/ that includes Beast.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "common/clock.h"
#include "elb/alb_metrics.h"
#include "elb/balancer.h"
#include "elb/routing_table.h"

namespace berth::elb {

class HttpProxy {
 public:
  using TableSource = std::function<std::shared_ptr<const RoutingTable>()>;
  // Counts every request into `metrics` (AWS/ApplicationELB), in periods of `clock`'s time.
  HttpProxy(boost::asio::io_context& io, TableSource table, Balancer& balancer, AlbMetrics& metrics, const Clock& clock);
  ~HttpProxy();

  // Serves one client connection of a listener; `initial` holds bytes already read from it.
  void serve(boost::asio::ip::tcp::socket client, std::string listener_arn, std::string initial);
  // berth's API port: a target on a loopback address with this port is answered 502, unforwarded.
  void set_own_port(int port);
  // Closes idle upstream connections to targets whose key (address:port) is not in `keep`.
  void keep_only(const std::set<std::string>& keep);
  // Ends every client and upstream connection (shutdown).
  void close_all();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace berth::elb
