#pragma once
// Where a request goes: /_berth/* to berth's own endpoints, POST / with X-Amz-Target to the
// AWS dispatcher, /v2/ to the registry (not served yet).
#include <chrono>

#include "api/dispatcher.h"
#include "api/http_types.h"

namespace berth::api {

class Router {
 public:
  Router(Dispatcher& dispatcher, state::Database& db) : dispatcher_(dispatcher), db_(db) {}
  HttpResponse route(const HttpRequest& req);

 private:
  HttpResponse health() const;
  Dispatcher& dispatcher_;
  state::Database& db_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace berth::api
