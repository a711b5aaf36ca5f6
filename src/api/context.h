#pragma once
// What a handler gets besides its validated input: who is calling, where, and the state it
// may use. Handlers never see HTTP.
#include <functional>
#include <string>
#include <vector>
#include <variant>

#include "api/identity.h"
#include "api/service_model.h"
#include "common/arn.h"
#include "registry/auth_token.h"
#include "registry/blob_store.h"
#include "registry/uploads.h"
#include "ecs/service_scheduler.h"
#include "runtime/task_engine.h"
#include "scaling/service_capacity.h"
#include "common/aws_error.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/json.h"
#include "state/db.h"
#include "state/scope.h"

namespace berth::api {
namespace logs {
class QueryRunner;
}

// The long-lived parts handlers may use besides the database.
struct Services {
  registry::BlobStore* blobs = nullptr;
  registry::Uploads* uploads = nullptr;
  const registry::TokenIssuer* tokens = nullptr;
  runtime::TaskEngine* engine = nullptr;
  const berth::iam::CredentialMinter* minter = nullptr;  // STS sessions and task role credentials
  const StaticKeys* static_keys = nullptr;  // --credentials: verify every call's signature
  berth::ecs::ServiceScheduler* scheduler = nullptr;
  // Tells the load balancer data plane that ELBv2 rows changed (called after commit).
  std::function<void()> elb_changed;
  logs::QueryRunner* log_queries = nullptr;  // Logs Insights queries (StartQuery and the rest)
  // How Application Auto Scaling reads and sets an ECS service's desired count (RegisterScalableTarget
  // keeps it within the new bounds).
  const scaling::ServiceCapacity* service_capacity = nullptr;
};

struct OpContext {
  std::string account;
  std::string region;
  std::string request_id;
  const Clock& clock;
  const Config& config;
  state::Connection& db;  // inside the call's transaction (read-only for read operations)
  const Operation& op;    // the operation being served, with its model shapes
  const ServiceModel& model;  // the operation's service
  const Services& services;
  // Work to do once the call's transaction has committed (e.g. collecting freed blobs).
  std::vector<std::function<void(state::Database&)>> after_commit;
  // Who signed the call (api/identity.h); empty arn: the account root.
  Identity caller{};

  // Where the call's state lives: per account and region, or per account alone for a global
  // service (IAM and STS; their models name a global endpoint).
  state::Scope scope() const { return {account, model.global() ? std::string() : region}; }
  // The account's root principal (ECS account settings and registeredBy use it).
  std::string principal_arn() const { return arns::root_principal(account); }
};

// A handler's result: the JSON response body, or the AWS error to send.
class Outcome {
 public:
  Outcome(AwsError e) : v_(std::move(e)) {}  // NOLINT: errors convert implicitly
  static Outcome ok(std::string body) { return Outcome(std::move(body), 0); }
  bool ok() const { return v_.index() == 0; }
  const std::string& body() const { return std::get<0>(v_); }
  std::string take_body() { return std::move(std::get<0>(v_)); }
  const AwsError& error() const { return std::get<1>(v_); }

 private:
  Outcome(std::string body, int) : v_(std::move(body)) {}
  std::variant<std::string, AwsError> v_;
};

using Handler = Outcome (*)(OpContext&, const json::Value& input);

// Builds a JSON response body: fill the writer, then take the text.
class Body {
 private:
  rapidjson::StringBuffer buf;  // declared first: the writer below refers to it

 public:
  Body() : w(buf) {}
  json::Writer w;
  Outcome done() { return Outcome::ok(std::string(buf.GetString(), buf.GetSize())); }
};

}  // namespace berth::api
