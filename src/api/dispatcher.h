#pragma once
// One awsJson1_1 call from bytes to bytes, in this order: resolve the X-Amz-Target, parse the
// body, validate it against the operation's input shape, find the caller, run the handler in
// one transaction (committed only when it succeeds), serialize the outcome.
#include "api/http_types.h"
#include "api/operation_table.h"
#include "common/clock.h"
#include "common/config.h"
#include "state/db.h"

namespace berth::api {

class Dispatcher {
 public:
  Dispatcher(const OperationTable& ops, state::Database& db, const Clock& clock, const Config& config,
             Services services = {})
      : ops_(ops), db_(db), clock_(clock), config_(config), services_(services) {}

  HttpResponse handle(const HttpRequest& req);

 private:
  Outcome run(const ResolvedOperation& op, const json::Value& input, std::string_view authorization,
              const std::string& request_id);

  const OperationTable& ops_;
  state::Database& db_;
  const Clock& clock_;
  const Config& config_;
  Services services_;
};

}  // namespace berth::api
