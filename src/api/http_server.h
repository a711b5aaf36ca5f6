#pragma once
// The HTTP/1.1 server: one coroutine per connection, keep-alive and pipelining, a header and
// body size limit and read timeouts on purpose, so slow or broken clients only cost themselves.
// This is the only file that includes Beast (it compiles slowly).
#include <functional>
#include <memory>
#include <string>

#include "api/router.h"

namespace berth::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 4566;
  int threads = 0;                                  // 0: max(4, cores)
  std::size_t body_limit = 8 * 1024 * 1024;         // AWS JSON calls
  std::size_t header_limit = 64 * 1024;
  int idle_timeout_seconds = 120;                   // between requests on a keep-alive connection
  int read_timeout_seconds = 60;                    // for one request's body
};

class HttpServer {
 public:
  HttpServer(RequestHandler& handler, ServerOptions options);
  ~HttpServer();
  // Binds the listening socket; throws when the address is taken. Returns the bound port.
  unsigned short bind();
  // Adds a listener served by another handler, from any thread (the task metadata address
  // exists only after its Docker network does). Tries `port`, then any free one; returns the
  // port bound, 0 when none could be.
  unsigned short add_listener(const std::string& host, unsigned short port, RequestHandler& handler);
  // Hands the main listener's requests whose Host the taker claims to it (set before run()).
  void set_connection_taker(ConnectionTaker* taker);
  // Serves until SIGINT/SIGTERM, then stops accepting, finishes in-flight requests and returns.
  void run(const std::function<void()>& on_ready);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::api
