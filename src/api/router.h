#pragma once
// Where a request goes: /_berth/* to berth's own endpoints, /v2/ to the registry, AWS calls
// (X-Amz-Target, a query form, a CBOR operation path; see api/route.h) to the dispatcher.
#include <chrono>
#include <functional>

#include "api/dispatcher.h"
#include "api/http_types.h"
#include "api/registry_routes.h"

namespace berth::api {

class Router final : public RequestHandler {
 public:
  Router(Dispatcher& dispatcher, state::Database& db, RegistryRoutes* registry,
         std::function<void()> on_reset = {})
      : dispatcher_(dispatcher), db_(db), registry_(registry), on_reset_(std::move(on_reset)) {}
  // A sink for requests whose body must stream (registry blob uploads); null for the others.
  std::unique_ptr<BodySink> sink_for(const HttpRequest& head) override;
  HttpResponse route(const HttpRequest& req) override;

 private:
  HttpResponse health() const;
  Dispatcher& dispatcher_;
  state::Database& db_;
  RegistryRoutes* registry_;
  // Does the reset when given: wipes the database and has the task runtime's containers go
  // (without waiting for Docker: HTTP threads never do).
  std::function<void()> on_reset_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace berth::api
