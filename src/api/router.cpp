#include "api/router.h"

#include <spdlog/spdlog.h>

#include "api/protocols/protocol.h"
#include "api/route.h"
#include "common/ids.h"
#include "common/json.h"

namespace berth::api {
namespace {
HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }
}  // namespace

HttpResponse Router::route(const HttpRequest& req) {
  std::string_view path = path_of(req.target);
  if (path == "/_berth/health" && (req.method == "GET" || req.method == "HEAD")) return health();
  if (path == "/_berth/reset" && req.method == "POST") {
    // The task runtime wipes the database itself, between pausing and cleaning up Docker.
    if (on_reset_) on_reset_();
    else db_.wipe();
    spdlog::info("state reset");
    return json_response(200, R"({"reset":true})");
  }
  if (registry_ && RegistryRoutes::handles(path)) return registry_->route(req);
  if (is_aws_call(req)) return dispatcher_.handle(req);
  return protocols::aws_json_1_1().error(
      nullptr, AwsError::client("UnknownOperationException", "No operation at " + req.method + " " + std::string(path), 404),
      ids::uuid_v4());
}

std::unique_ptr<BodySink> Router::sink_for(const HttpRequest& head) {
  if (registry_ && RegistryRoutes::handles(path_of(head.target))) return registry_->sink_for(head);
  return nullptr;
}

HttpResponse Router::health() const {
  auto uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::kv(w, "status", "ok");
  json::kv(w, "version", BERTH_VERSION);
  w.Key("uptimeSeconds");
  w.Double(uptime);
  w.EndObject();
  return json_response(200, std::string(buf.GetString(), buf.GetSize()));
}

}  // namespace berth::api
