#pragma once
#include <chrono>
// Publishes awsvpc tasks' container ports on 127.0.0.1 from inside berth, relaying TCP
// connections and UDP datagrams to the task's address on its Docker network.
//
// Why not Docker's own publishing: ports are fixed when a container is created, so a pause
// container made ahead of RunTask (see namespace_pool.h) could not publish them. For loopback
// Docker relays through its userland proxy anyway, so this costs no more per byte.
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "runtime/docker_client.h"

namespace berth::runtime {

struct PortRequest {
  int container_port = 0;
  std::string protocol = "tcp";  // tcp or udp
  int host_port = 0;             // wanted; 0, or one already taken, gets an ephemeral port
};

// Bounds on one relayed TCP connection, so a dead task or an abandoned client cannot hold its
// two descriptors for ever.
struct TcpLimits {
  // The task must accept within this long (else the client is reset, not left to the
  // kernel's minutes of SYN retries).
  std::chrono::steady_clock::duration connect = std::chrono::seconds(10);
  // No byte either way for this long closes the connection; generous, since database and
  // websocket clients idle for minutes.
  std::chrono::steady_clock::duration idle = std::chrono::minutes(60);
};

class PortProxy {
 public:
  explicit PortProxy(TcpLimits limits = {});  // runs its own I/O thread
  ~PortProxy();
  PortProxy(const PortProxy&) = delete;
  PortProxy& operator=(const PortProxy&) = delete;

  // Listens for each request and relays to target_ip:container_port. A key (the task) already
  // published keeps its listeners: the call returns them. A failure binds nothing.
  // Returns the bindings, or why a listener could not be opened.
  std::variant<std::vector<PortBinding>, std::string> publish(const std::string& key, const std::string& target_ip,
                                                 const std::vector<PortRequest>& ports);
  // Closes the key's listeners (their ports are free when it returns); relays already open end
  // with their connections. Not to be called from the proxy's own handlers.
  void unpublish(const std::string& key);
  std::optional<std::vector<PortBinding>> published(const std::string& key) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::runtime
