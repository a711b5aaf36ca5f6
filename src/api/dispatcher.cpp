#include "api/dispatcher.h"

#include <spdlog/spdlog.h>

#include "api/authorization.h"
#include "api/caller_checks.h"
#include "api/content_encoding.h"
#include "api/validator.h"
#include "common/ids.h"

namespace berth::api {

HttpResponse Dispatcher::handle(const HttpRequest& req) {
  // A compressed body (botocore gzips large PutMetricData calls) is inflated before routing,
  // which may read the body (a query form's Action).
  if (auto enc = req.header("Content-Encoding"); !enc.empty() && enc != "identity") {
    HttpRequest inflated = req;
    if (auto err = decode_content_encoding(inflated)) {
      Route r = route(ops_, req);
      return r.protocol->error(r.model, *err, ids::uuid_v4());
    }
    std::erase_if(inflated.headers, [](const auto& h) {
      return h.first.size() == 16 && (h.first[0] | 0x20) == 'c' && (h.first[8] | 0x20) == 'e';
    });
    return handle(inflated);
  }
  Call call(req, ids::uuid_v4());
  auto fail = [&](const AwsError& e) { return call.route.protocol->error(call.route.model, e, call.request_id); };

  // Listener policy (item I, src/api/listener_policy): not yet; every request passes.
  call.route = route(ops_, req);
  if (call.route.error) return fail(*call.route.error);
  if (auto err = decode(call)) return fail(*err);
  if (auto err = identify(call)) return fail(*err);
  if (auto err = authorize(call)) return fail(*err);
  if (auto err = validate(call)) return fail(*err);
  const ResolvedOperation& op = *call.route.op;
  if (!op.handler) return fail(AwsError::not_implemented(op.model->service(), op.op->name));
  Outcome out = run(call);  // the handler, then its after-commit jobs
  if (!out.ok()) return fail(out.error());
  return call.route.protocol->success(*op.model, *op.op, out.take_body(),
                                      call.request_id);
}

std::optional<AwsError> Dispatcher::decode(Call& call) const {
  return call.route.protocol->decode(*call.route.op->op, call.route.payload, call.input);
}

// Who signed the call: the SigV4 scope names the key and region; the key's identity gives the
// account. Signatures are verified under --credentials and for keys berth minted.
std::optional<AwsError> Dispatcher::identify(Call& call) const {
  const HttpRequest& req = call.req;
  call.caller = caller_from_authorization(req.authorization.empty() ? call.route.credential : req.authorization,
                                          config_.account_id, config_.region);
  bool query = call.route.protocol == &protocols::query();
  auto id = identify_caller(db_, services_, config_, req, call.caller.access_key, query, clock_.now_millis());
  if (auto* e = std::get_if<AwsError>(&id)) return *e;
  call.identity = std::move(std::get<Identity>(id));
  call.caller.account = call.identity.account;
  return std::nullopt;
}

// --enforce-iam: a role session's call must be allowed by the role's policies.
std::optional<AwsError> Dispatcher::authorize(const Call& call) const {
  const ResolvedOperation& op = *call.route.op;
  return authorize_caller(db_, config_, call.identity, iam_action_prefix(op.model->signing_name()), op.op->name,
                          call.route.protocol == &protocols::query());
}

std::optional<AwsError> Dispatcher::validate(const Call& call) const {
  const ResolvedOperation& op = *call.route.op;
  if (!op.op->input) return std::nullopt;
  return api::validate(*op.op->input, call.input, op.validation);
}

Outcome Dispatcher::run(Call& call) {
  const ResolvedOperation& op = *call.route.op;
  try {
    std::optional<Outcome> out;
    std::vector<std::function<void(state::Database&)>> after_commit;
    auto once = [&](state::Connection& c) {
      OpContext ctx{call.caller.account, call.caller.region, call.request_id, clock_, config_, c, *op.op,
                    *op.model, services_, {}, call.identity};
      out.emplace(op.handler(ctx, call.input));
      after_commit = std::move(ctx.after_commit);
      return out->ok();
    };
    if (op.read_only)
      db_.read([&](state::Connection& c) { once(c); });
    else
      db_.write(once);
    if (out->ok())
      for (auto& job : after_commit) job(db_);
    return std::move(*out);
  } catch (const std::exception& e) {
    spdlog::error("request {} {}: {}", call.request_id, op.op->name, e.what());
    return AwsError::internal(call.request_id);
  }
}

}  // namespace berth::api
