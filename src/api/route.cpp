#include "api/route.h"

#include "api/protocols/query.h"
#include "api/request_context.h"

namespace berth::api {
namespace {
using namespace protocols;

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }
std::string_view query_string(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if ((s[i] | 0x20) != (prefix[i] | 0x20)) return false;
  return true;
}

bool is_form(const HttpRequest& req) {
  return starts_with_ci(req.content_type, "application/x-www-form-urlencoded");
}

// "/service/GraniteServiceVersion20100801/operation/PutMetricData" → prefix and operation.
bool cbor_path(std::string_view path, std::string_view& prefix, std::string_view& op) {
  constexpr std::string_view kService = "/service/", kOperation = "/operation/";
  if (!path.starts_with(kService)) return false;
  auto rest = path.substr(kService.size());
  auto at = rest.find(kOperation);
  if (at == std::string_view::npos) return false;
  prefix = rest.substr(0, at);
  op = rest.substr(at + kOperation.size());
  return !prefix.empty() && !op.empty() && op.find('/') == std::string_view::npos;
}

Route json_route(const OperationTable& ops, const HttpRequest& req) {
  Route r;
  std::string_view target = req.amz_target;
  auto dot = target.rfind('.');
  r.model = dot == std::string_view::npos ? nullptr : ops.by_target_prefix(target.substr(0, dot));
  bool v10 = starts_with_ci(req.content_type, "application/x-amz-json-1.0") ||
             (!starts_with_ci(req.content_type, "application/x-amz-json-1.1") && r.model &&
              r.model->json_version() == "1.0");
  r.protocol = v10 ? &aws_json_1_0() : &aws_json_1_1();
  r.payload = req.body;
  r.op = ops.resolve(target);
  if (!r.op || !r.model->speaks("json")) {
    r.op = nullptr;
    r.error = AwsError::unknown_operation(target);
  }
  return r;
}

Route cbor_route(const OperationTable& ops, const HttpRequest& req, std::string_view prefix, std::string_view op) {
  Route r;
  r.protocol = &rpc_v2_cbor();
  r.payload = req.body;
  r.model = ops.by_target_prefix(prefix);
  if (r.model && r.model->speaks("smithy-rpc-v2-cbor")) r.op = ops.find(r.model->service(), op);
  if (!r.op)
    r.error = AwsError::client("UnknownOperationException",
                               "Unknown operation " + std::string(prefix) + "." + std::string(op), 404);
  return r;
}

Route query_route(const OperationTable& ops, const HttpRequest& req) {
  Route r;
  r.protocol = &query();
  r.payload = req.method == "GET" || (req.body.empty() && !is_form(req)) ? query_string(req.target)
                                                                          : std::string_view(req.body);
  bool has_action = false;
  std::string action = form_value(r.payload, "Action", &has_action);
  std::string version = form_value(r.payload, "Version");
  // A presigned GET carries its credential scope in the query string.
  if (req.authorization.empty())
    if (std::string cred = form_value(query_string(req.target), "X-Amz-Credential"); !cred.empty())
      r.credential = "Credential=" + cred;
  std::string service =
      caller_from_authorization(req.authorization.empty() ? r.credential : req.authorization, "", "").service;
  if (!has_action || action.empty()) {
    r.model = ops.by_signing_name(service);
    r.error = AwsError::client("MissingAction", "The request must contain the parameter Action");
    return r;
  }
  if (!service.empty()) {
    r.model = ops.by_signing_name(service);
  } else {
    // Unsigned: the one service whose model has this Action at this Version.
    for (const ServiceModel* m : ops.models())
      if (m->speaks("query") && m->api_version() == version && m->operation(action)) r.model = m;
  }
  if (r.model && r.model->speaks("query") && r.model->api_version() == version)
    r.op = ops.find(r.model->service(), action);
  if (!r.op)
    r.error = AwsError::client("InvalidAction", "Could not find operation " + action + " for version " + version);
  return r;
}
}  // namespace

bool is_aws_call(const HttpRequest& req) {
  std::string_view path = path_of(req.target);
  std::string_view prefix, op;
  if (!req.amz_target.empty()) return true;
  if (req.method == "POST" && (path == "/" || cbor_path(path, prefix, op))) return true;
  return req.method == "GET" && path == "/" && query_string(req.target).find("Action=") != std::string_view::npos;
}

Route route(const OperationTable& ops, const HttpRequest& req) {
  if (!req.amz_target.empty()) return json_route(ops, req);
  std::string_view prefix, op;
  if (cbor_path(path_of(req.target), prefix, op)) return cbor_route(ops, req, prefix, op);
  if (is_form(req) || req.method == "GET" ||
      query_string(req.target).find("Action=") != std::string_view::npos)
    return query_route(ops, req);
  // Neither a target nor a form: what awsJson clients get without their header.
  Route r;
  r.protocol = &aws_json_1_1();
  r.error = AwsError::unknown_operation("");
  return r;
}

}  // namespace berth::api
