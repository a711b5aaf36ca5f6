#pragma once
// Handlers through the real dispatcher, without HTTP: a temporary database, every service
// registered, a manual clock. Each reply is checked against the operation's model: a success
// against its output shape, an error code against its error list.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <string>

#include "api/dispatcher.h"
#include "api/services.h"
#include "api/validator.h"

namespace berth::test {

class DispatchHarness {
  std::string prefix_;
  std::set<std::string> common_;
  std::filesystem::path dir_;

 public:
  // `target_prefix`: the service's X-Amz-Target prefix; `common_errors`: codes any operation
  // of it may answer besides its model's list.
  DispatchHarness(std::string target_prefix, std::set<std::string> common_errors, std::int64_t start_millis)
      : prefix_(std::move(target_prefix)), common_(std::move(common_errors)), clock(start_millis) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "berth-test-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    db = std::make_unique<state::Database>((dir_ / "berth.db").string());
    api::register_services(ops);
    dispatcher = std::make_unique<api::Dispatcher>(ops, *db, clock, config);
  }
  ~DispatchHarness() {
    dispatcher.reset();
    db.reset();
    std::filesystem::remove_all(dir_);
  }

  struct Reply {
    int status;
    rapidjson::Document body;
    std::string code() const { return body.HasMember("__type") ? body["__type"].GetString() : ""; }
    std::string message() const { return body.HasMember("message") ? body["message"].GetString() : ""; }
  };

  // A shape check failure the service is known to produce on purpose (AWS does the same).
  std::function<bool(const std::string& message)> tolerated_shape_error = [](const std::string&) { return false; };

  Reply call(const std::string& op, const std::string& body, const std::string& authorization = "") {
    api::HttpRequest req;
    req.method = "POST";
    req.target = "/";
    req.amz_target = prefix_ + "." + op;
    req.authorization = authorization;
    req.body = body;
    api::HttpResponse resp = dispatcher->handle(req);
    Reply r{resp.status, {}};
    r.body.Parse(resp.body.c_str());
    REQUIRE_FALSE(r.body.HasParseError());
    bool has_request_id = false;
    for (auto& [k, v] : resp.headers) has_request_id |= k == "x-amzn-RequestId" && v.size() == 36;
    CHECK(has_request_id);
    const api::ResolvedOperation* resolved = ops.resolve(req.amz_target);
    if (resolved && resp.status == 200 && resolved->op->output) {
      auto err = api::validate(*resolved->op->output, r.body);
      if (err && tolerated_shape_error(err->message)) err.reset();
      CHECK_MESSAGE(!err, op << " response does not fit its output shape: " << (err ? err->message : ""));
    } else if (resolved && resolved->handler && resp.status != 200) {
      auto& errors = resolved->op->errors;
      bool listed = common_.count(r.code()) || std::find(errors.begin(), errors.end(), r.code()) != errors.end();
      CHECK_MESSAGE(listed, op << " answered " << r.code() << ", which its model does not list");
    }
    return r;
  }

  Reply ok(const std::string& op, const std::string& body) {
    auto r = call(op, body);
    CHECK_MESSAGE(r.status == 200, op << ": " << r.code() << " " << r.message());
    return r;
  }

  std::unique_ptr<state::Database> db;
  api::OperationTable ops;
  ManualClock clock;
  Config config;
  std::unique_ptr<api::Dispatcher> dispatcher;
};

}  // namespace berth::test
