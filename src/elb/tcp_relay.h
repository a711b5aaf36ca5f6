#pragma once
// Network load balancer listeners: each client connection goes to one target chosen by the
// balancer, and bytes are copied both ways until either side closes or stays idle 350 s (NLB's
// TCP idle timeout).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <string>

#include "elb/balancer.h"
#include "elb/routing_table.h"

namespace berth::elb {

class TcpRelay {
 public:
  using TableSource = std::function<std::shared_ptr<const RoutingTable>()>;
  TcpRelay(boost::asio::io_context& io, TableSource table, Balancer& balancer);
  ~TcpRelay();
  void serve(boost::asio::ip::tcp::socket client, std::string listener_arn);
  void close_all();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace berth::elb
