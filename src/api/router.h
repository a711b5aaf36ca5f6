#pragma once
// Where a request goes: /_berth/* to berth's own endpoints, POST / with X-Amz-Target to the
// AWS dispatcher, /v2/ to the registry.
#include <chrono>

#include "api/dispatcher.h"
#include "api/http_types.h"
#include "api/registry_routes.h"

namespace berth::api {

class Router {
 public:
  Router(Dispatcher& dispatcher, state::Database& db, RegistryRoutes* registry)
      : dispatcher_(dispatcher), db_(db), registry_(registry) {}
  // A sink for requests whose body must stream (registry blob uploads); null for the others.
  std::unique_ptr<BodySink> sink_for(const HttpRequest& head);
  HttpResponse route(const HttpRequest& req);

 private:
  HttpResponse health() const;
  Dispatcher& dispatcher_;
  state::Database& db_;
  RegistryRoutes* registry_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace berth::api
