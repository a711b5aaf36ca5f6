// GetCallerIdentity, AssumeRole, GetSessionToken. Sessions are keys berth mints
// (api/identity.h): their rows say whose they are, their secrets are recomputed.
#include "api/identity.h"
#include "api/services.h"
#include "api/sts/errors.h"
#include "common/arn.h"
#include "iam/trust_policy.h"
#include "state/iam_store.h"

#include <spdlog/spdlog.h>

namespace berth::api::sts {
namespace {
void write_credentials(json::Writer& w, const MintedCredentials& m) {
  w.Key("Credentials");
  w.StartObject();
  json::kv(w, "AccessKeyId", m.access_key);
  json::kv(w, "SecretAccessKey", m.secret);
  json::kv(w, "SessionToken", m.session_token);
  w.Key("Expiration");
  json::epoch_seconds(w, m.expires_at);
  w.EndObject();
}

// The caller as STS names it; an unsigned or unverified call is the account root.
Identity caller_of(const OpContext& ctx) {
  Identity id = ctx.caller;
  if (id.arn.empty()) {
    id.account = ctx.account;
    id.arn = arns::root_principal(ctx.account);
    id.user_id = ctx.account;
  }
  return id;
}

// Whether the role's trust policy lets the caller assume it, with the keys STS sets for the call.
bool trusted(const OpContext& ctx, const Identity& caller, const state::RoleRow& role, const json::Value& in) {
  std::optional<std::string_view> session_role;
  if (caller.role_arn) session_role = *caller.role_arn;
  auto who = berth::iam::aws_principal(caller.account, caller.arn, session_role);
  std::map<std::string, std::vector<std::string>> keys;
  keys["sts:RoleSessionName"] = {std::string(json::view(in["RoleSessionName"]))};
  keys["aws:userid"] = {caller.user_id};
  keys["aws:RequestedRegion"] = {ctx.region};
  if (auto external = json::get_string(in, "ExternalId")) keys["sts:ExternalId"] = {std::string(*external)};
  return berth::iam::trust_allows(role.trust_policy, who, role.arn, std::move(keys));
}

Outcome get_caller_identity(OpContext& ctx, const json::Value&) {
  Identity id = caller_of(ctx);
  Body b;
  b.w.StartObject();
  json::kv(b.w, "UserId", id.user_id);
  json::kv(b.w, "Account", id.account);
  json::kv(b.w, "Arn", id.arn);
  b.w.EndObject();
  return b.done();
}

Outcome assume_role(OpContext& ctx, const json::Value& in) {
  Identity caller = caller_of(ctx);
  auto role_arn = json::view(in["RoleArn"]);
  auto session = json::view(in["RoleSessionName"]);
  auto parsed = Arn::parse(role_arn);
  if (!parsed || parsed->service != "iam" || parsed->resource_type() != "role")
    return errors::validation("1 validation error detected: Value '" + std::string(role_arn) +
                              "' at 'roleArn' failed to satisfy constraint: Member must satisfy ARN syntax");
  auto role = state::IamStore(ctx.db, parsed->account).role_by_arn(role_arn);
  // AWS answers a missing role the way it answers a role the caller may not assume.
  if (!role) return errors::not_authorized_to_assume(caller.arn, role_arn);
  if (!trusted(ctx, caller, *role, in)) {
    // berth is permissive unless asked: the trust policy binds only under --enforce-iam.
    if (ctx.config.enforce_iam) return errors::not_authorized_to_assume(caller.arn, role_arn);
    spdlog::info("AssumeRole: the trust policy of {} does not allow {}; granted since --enforce-iam is off",
                 role->arn, caller.arn);
  }
  std::int64_t duration = json::get_int(in, "DurationSeconds").value_or(3600);
  if (duration > role->max_session_duration)
    return errors::validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  if (!ctx.services.minter) return AwsError::server("ServiceUnavailable", "berth mints no credentials here");
  state::CredentialRow row;
  row.account = parsed->account;
  row.arn = assumed_role_arn(role->arn, session);
  row.user_id = role->role_id + ":" + std::string(session);
  row.role_arn = role->arn;
  row.expires_at = ctx.clock.now_millis() + duration * 1000;
  auto m = mint(ctx.db, *ctx.services.minter, row);
  Body b;
  b.w.StartObject();
  write_credentials(b.w, m);
  b.w.Key("AssumedRoleUser");
  b.w.StartObject();
  json::kv(b.w, "AssumedRoleId", row.user_id);
  json::kv(b.w, "Arn", row.arn);
  b.w.EndObject();
  b.w.Key("PackedPolicySize");
  b.w.Int(0);
  b.w.EndObject();
  return b.done();
}

Outcome get_session_token(OpContext& ctx, const json::Value& in) {
  if (!ctx.services.minter) return AwsError::server("ServiceUnavailable", "berth mints no credentials here");
  Identity caller = caller_of(ctx);
  // STS refuses session tokens to sessions: only long-term credentials may ask.
  if (caller.minted)
    return AwsError::client("AccessDenied", "Cannot call GetSessionToken with session credentials", 403);
  std::int64_t duration = json::get_int(in, "DurationSeconds").value_or(43200);
  state::CredentialRow row;
  row.account = caller.account;
  row.arn = caller.arn;
  row.user_id = caller.user_id;
  row.expires_at = ctx.clock.now_millis() + duration * 1000;
  auto m = mint(ctx.db, *ctx.services.minter, row);
  Body b;
  b.w.StartObject();
  write_credentials(b.w, m);
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_sessions(OperationTable& t) {
  t.add("sts", "GetCallerIdentity", get_caller_identity, Access::Read);
  t.add("sts", "AssumeRole", assume_role, Access::Write);
  t.add("sts", "GetSessionToken", get_session_token, Access::Write);
}

}  // namespace berth::api::sts
