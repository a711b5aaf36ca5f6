#include "api/dispatcher.h"

#include <rapidjson/error/en.h>
#include <spdlog/spdlog.h>

#include "api/aws_json.h"
#include "api/request_context.h"
#include "api/validator.h"
#include "common/ids.h"

namespace berth::api {
namespace {
constexpr int kMaxJsonDepth = 200;

// How deeply arrays and objects nest in a JSON text (strings skipped). Copying or writing a
// value recurses, so bodies nested deeper than any model shape are refused up front.
int nesting_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}
}  // namespace

HttpResponse Dispatcher::handle(const HttpRequest& req) {
  const std::string request_id = ids::uuid_v4();
  const ResolvedOperation* op = ops_.resolve(req.amz_target);
  if (!op) return aws_json::error(AwsError::unknown_operation(req.amz_target), request_id);

  // Iterative parsing keeps deeply nested bodies off the stack.
  rapidjson::Document doc;
  std::string_view body = req.body;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return aws_json::error(AwsError::serialization("The request body is empty; expected a JSON object"), request_id);
  if (nesting_depth(body) > kMaxJsonDepth)
    return aws_json::error(
        AwsError::serialization("JSON nesting is deeper than " + std::to_string(kMaxJsonDepth) + " levels"),
        request_id);
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (doc.HasParseError())
    return aws_json::error(
        AwsError::serialization(std::string("Malformed JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()) +
                                " at offset " + std::to_string(doc.GetErrorOffset())),
        request_id);
  if (!doc.IsObject())
    return aws_json::error(AwsError::serialization("Start of list found where not expected"), request_id);
  if (op->op->input)
    if (auto err = validate(*op->op->input, doc, op->validation)) return aws_json::error(*err, request_id);
  if (!op->handler)
    return aws_json::error(AwsError::not_implemented(op->model->service(), op->op->name), request_id);

  Outcome out = run(*op, doc, req.authorization, request_id);
  if (!out.ok()) return aws_json::error(out.error(), request_id);
  return aws_json::success(out.body(), request_id);
}

Outcome Dispatcher::run(const ResolvedOperation& op, const json::Value& input,
                        std::string_view authorization, const std::string& request_id) {
  Caller caller = caller_from_authorization(authorization, config_.account_id, config_.region);
  try {
    std::optional<Outcome> out;
    std::vector<std::function<void(state::Database&)>> after_commit;
    auto call = [&](state::Connection& c) {
      OpContext ctx{caller.account, caller.region, request_id, clock_, config_, c, *op.op, services_, {}};
      out.emplace(op.handler(ctx, input));
      after_commit = std::move(ctx.after_commit);
      return out->ok();
    };
    if (op.read_only)
      db_.read([&](state::Connection& c) { call(c); });
    else
      db_.write(call);
    if (out->ok())
      for (auto& job : after_commit) job(db_);
    return std::move(*out);
  } catch (const std::exception& e) {
    spdlog::error("request {} {}: {}", request_id, op.op->name, e.what());
    return AwsError::internal(request_id);
  }
}

}  // namespace berth::api
