#pragma once
// The HTTP exchange as the router sees it, free of Beast so everything above the socket can be
// tested without a server.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::api {

struct HttpRequest {
  // Every header as received, in order (names as the client spelled them).
  std::vector<std::pair<std::string, std::string>> headers;
  // The first header of that name (case-insensitive); empty when absent.
  std::string_view header(std::string_view name) const;

  std::string method;
  std::string target;  // path and query
  std::string amz_target;
  std::string authorization;
  std::string content_type;
  std::string accept;         // all Accept headers, comma-joined
  std::string range;          // Range
  std::string content_range;  // Content-Range
  std::string host;
  std::optional<std::uint64_t> content_length;
  std::string body;           // empty when the body was streamed to a BodySink
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // A file region sent as the body instead of `body` (registry blobs).
  std::string file_path;
  std::uint64_t file_offset = 0;
  std::uint64_t file_length = 0;
  // For HEAD: the Content-Length the GET would have, with no body sent.
  std::optional<std::uint64_t> head_length;
  bool close = false;  // close the connection after this response

  bool has_file() const { return !file_path.empty(); }
};

inline std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < k.size() && same; ++i)
      same = (k[i] | 0x20) == (name[i] | 0x20);  // ASCII case folding suffices for header names
    if (same) return v;
  }
  return {};
}

// Where a streamed request body goes (registry uploads): bytes arrive in order, then finish()
// gives the response. finish(false) means the body did not arrive whole.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Returns false to stop reading (the sink has failed; finish() tells why).
  virtual bool write(const char* data, std::size_t size) = 0;
  virtual HttpResponse finish(bool complete) = 0;
};

// What serves a listener: the main router, or the task metadata endpoint.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // A sink for a request whose body must stream; null to have the body read into memory.
  virtual std::unique_ptr<BodySink> sink_for(const HttpRequest& head) = 0;
  virtual HttpResponse route(const HttpRequest& req) = 0;
};

// Takes over connections the main server does not answer itself: a request whose Host names a
// load balancer goes, socket and all, to the ELB data plane (wired in main.cpp).
class ConnectionTaker {
 public:
  virtual ~ConnectionTaker() = default;
  virtual bool takes(std::string_view host) const = 0;
  // `initial`: the request header as received, then any bytes read after it.
  virtual void take(int fd, std::string initial, std::string host) = 0;
};

}  // namespace berth::api
