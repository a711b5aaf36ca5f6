#pragma once
// Handlers through the real dispatcher, without HTTP: a temporary database, every service
// registered, a manual clock. Each reply is checked against the operation's model: a success
// against its output shape, an error code against its error list. Tests write inputs and read
// replies as JSON whatever the service's protocol: a query service's call goes as a form and
// its XML reply comes back as JSON by the output shape; a CBOR call likewise.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <string>

#include "api/dispatcher.h"
#include "api/protocols/protocol.h"
#include "api/services.h"
#include "api/validator.h"
#include "wire_client.h"

namespace berth::test {

class DispatchHarness {
  std::set<std::string> common_;
  std::filesystem::path dir_;

 public:
  // How calls travel: what the service's clients use by default (JSON, else CBOR, else query,
  // as botocore chooses), or what a test sets.
  enum class Wire { Json, Query, Cbor };

  // `service`: the service's X-Amz-Target prefix or berth's name for it ("iam", "sts", ...);
  // `common_errors`: codes any operation of it may answer besides its model's list.
  DispatchHarness(std::string service, std::set<std::string> common_errors, std::int64_t start_millis)
      : common_(std::move(common_errors)), clock(start_millis) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "berth-test-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    db = std::make_unique<state::Database>((dir_ / "berth.db").string());
    api::register_services(ops);
    dispatcher = std::make_unique<api::Dispatcher>(ops, *db, clock, config);
    model = ops.by_target_prefix(service);
    if (!model) model = ops.model(service);
    REQUIRE_MESSAGE(model, "no service " << service);
    wire = model->speaks("json") ? Wire::Json : model->speaks("smithy-rpc-v2-cbor") ? Wire::Cbor : Wire::Query;
  }
  ~DispatchHarness() {
    dispatcher.reset();
    db.reset();
    std::filesystem::remove_all(dir_);
  }

  struct Reply {
    int status;
    rapidjson::Document body;  // the reply as JSON (an error as {"__type","message"})
    api::HttpResponse raw;     // as it went on the wire
    std::string code() const { return body.HasMember("__type") ? body["__type"].GetString() : ""; }
    std::string message() const { return body.HasMember("message") ? body["message"].GetString() : ""; }
  };

  // A shape check failure the service is known to produce on purpose (AWS does the same).
  std::function<bool(const std::string& message)> tolerated_shape_error = [](const std::string&) { return false; };

  // The request a client of `wire` sends for `op` with the JSON input `body`.
  api::HttpRequest request(const std::string& op, const std::string& body, const std::string& authorization) {
    api::HttpRequest req;
    req.method = "POST";
    req.target = "/";
    req.authorization = authorization;
    const api::Operation* operation = model->operation(op);
    rapidjson::Document input;
    input.Parse<rapidjson::kParseIterativeFlag>(body.c_str());  // tests send 100,000-deep bodies
    if (wire == Wire::Json || !operation || input.HasParseError()) {
      req.amz_target = model->target_prefix() + "." + op;
      req.content_type = "application/x-amz-json-" + (model->json_version().empty() ? "1.1" : model->json_version());
      req.body = body;
    } else if (wire == Wire::Query) {
      req.content_type = "application/x-www-form-urlencoded; charset=utf-8";
      req.body = form_body(op, model->api_version(), operation->input, input);
    } else {
      req.target = "/service/" + model->target_prefix() + "/operation/" + op;
      req.headers = {{"smithy-protocol", "rpc-v2-cbor"}};
      req.content_type = "application/cbor";
      cbor::Writer w;
      to_cbor(w, input);
      req.body = w.take();
    }
    return req;
  }

  // The reply as JSON, whatever the wire.
  void read_reply(const std::string& op, const api::HttpResponse& resp, rapidjson::Document& out) {
    const api::Operation* operation = model->operation(op);
    if (resp.content_type == "text/xml") {
      XmlNode root = parse_xml(resp.body);
      if (const XmlNode* e = root.child("Error")) {
        out.SetObject();
        out.AddMember("__type", json::Value(e->child("Code")->text.c_str(), out.GetAllocator()), out.GetAllocator());
        out.AddMember("message", json::Value(e->child("Message")->text.c_str(), out.GetAllocator()), out.GetAllocator());
        REQUIRE(root.child("RequestId"));
        return;
      }
      CHECK(root.name == op + "Response");
      REQUIRE(root.child("ResponseMetadata"));
      out.SetObject();
      if (!operation || !operation->output) return;
      const XmlNode* result = operation->result_wrapper.empty() ? &root : root.child(operation->result_wrapper);
      REQUIRE(result);
      xml_members(*operation->output, *result, out, out.GetAllocator());
    } else if (resp.content_type == "application/cbor") {
      REQUIRE_FALSE(api::protocols::rpc_v2_cbor().decode(api::Operation{}, resp.body, out));
    } else {
      out.Parse(resp.body.c_str());
      REQUIRE_FALSE(out.HasParseError());
    }
  }

  Reply call(const std::string& op, const std::string& body, const std::string& authorization = "") {
    api::HttpRequest req = request(op, body, authorization);
    api::HttpResponse resp = dispatcher->handle(req);
    Reply r{resp.status, {}, resp};
    read_reply(op, resp, r.body);
    bool has_request_id = false;
    for (auto& [k, v] : resp.headers) has_request_id |= k == "x-amzn-RequestId" && v.size() == 36;
    CHECK(has_request_id);
    const api::ResolvedOperation* resolved = ops.find(model->service(), op);
    if (resolved && resp.status == 200 && resolved->op->output) {
      auto err = api::validate(*resolved->op->output, r.body);
      if (err && tolerated_shape_error(err->message)) err.reset();
      CHECK_MESSAGE(!err, op << " response does not fit its output shape: " << (err ? err->message : ""));
    } else if (resolved && resolved->handler && resp.status != 200) {
      auto& errors = resolved->op->errors;
      // A query reply names the error by its query code; the model lists shape names.
      const api::Shape* shape = model->error_shape(r.code());
      std::string name = shape ? shape->name : r.code();
      bool listed = common_.count(r.code()) || std::find(errors.begin(), errors.end(), name) != errors.end();
      CHECK_MESSAGE(listed, op << " answered " << r.code() << ", which its model does not list");
    }
    return r;
  }

  // Handlers then see these long-lived parts (api::Services) besides the database.
  void use_services(const api::Services& services) {
    dispatcher = std::make_unique<api::Dispatcher>(ops, *db, clock, config, services);
  }

  Reply ok(const std::string& op, const std::string& body) {
    auto r = call(op, body);
    CHECK_MESSAGE(r.status == 200, op << ": " << r.code() << " " << r.message());
    return r;
  }

  std::unique_ptr<state::Database> db;
  api::OperationTable ops;
  const api::ServiceModel* model = nullptr;
  Wire wire = Wire::Json;
  ManualClock clock;
  Config config;
  std::unique_ptr<api::Dispatcher> dispatcher;
};

}  // namespace berth::test
