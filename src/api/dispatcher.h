#pragma once
// One AWS call from bytes to bytes, in protocol-free steps (see Dispatcher::handle): route,
// decode, identify the caller, validate, run the handler in one transaction (committed only
// when it succeeds), its after-commit jobs, encode. Only the chosen protocol writes the wire.
#include "api/http_types.h"
#include "api/operation_table.h"
#include "api/request_context.h"
#include "api/route.h"
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
  // One request as it moves through the steps.
  struct Call {
    Call(const HttpRequest& r, std::string id) : req(r), request_id(std::move(id)) {}
    const HttpRequest& req;
    std::string request_id;
    Route route;
    rapidjson::Document input;
    Caller caller;
    Identity identity;  // who signed it (root of the caller's account unless berth minted the key)
  };
  std::optional<AwsError> decode(Call& call) const;
  std::optional<AwsError> identify(Call& call) const;
  std::optional<AwsError> authorize(const Call& call) const;
  std::optional<AwsError> validate(const Call& call) const;
  Outcome run(Call& call);

  const OperationTable& ops_;
  state::Database& db_;
  const Clock& clock_;
  const Config& config_;
  Services services_;
};

}  // namespace berth::api
