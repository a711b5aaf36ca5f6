// GetAuthorizationToken: the registry password, as ECR hands it out.
#include "api/ecr/repository_access.h"
#include "api/services.h"
#include "common/base64.h"
#include "registry/auth_token.h"

namespace berth::api::ecr {
namespace {
Outcome get_authorization_token(OpContext& ctx, const json::Value& in) {
  std::int64_t expires = ctx.clock.now_millis() + registry::TokenIssuer::kLifetimeMillis;
  // Under --credentials the token names the verified key it was issued to, so the registry
  // refuses it once that key no longer verifies (removed from the file, or a session expired).
  std::string_view principal = ctx.services.static_keys ? std::string_view(ctx.caller.access_key) : "";
  std::string password = ctx.services.tokens->issue(ctx.account, ctx.region, expires, principal);
  std::string token = base64::encode("AWS:" + password);
  Body b;
  b.w.StartObject();
  b.w.Key("authorizationData");
  b.w.StartArray();
  b.w.StartObject();
  json::kv(b.w, "authorizationToken", token);
  b.w.Key("expiresAt");
  json::epoch_seconds(b.w, expires);
  json::kv(b.w, "proxyEndpoint", "http://" + registry_host(ctx));
  b.w.EndObject();
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_auth(OperationTable& t) {
  // Issuing a token writes nothing: tokens are signed, not stored.
  t.add("ecr", "GetAuthorizationToken", get_authorization_token, Access::Read);
}

}  // namespace berth::api::ecr
