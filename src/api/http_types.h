#pragma once
// The HTTP exchange as the router sees it, free of Beast so everything above the socket can be
// tested without a server.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::api {

struct HttpRequest {
  std::string method;
  std::string target;  // path and query
  std::string amz_target;
  std::string authorization;
  std::string content_type;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // close the connection after this response
};

}  // namespace berth::api
