#include "api/caller_checks.h"

#include "api/authorization.h"
#include "api/request_context.h"
#include "api/sigv4.h"

namespace berth::api {

std::variant<Identity, AwsError> identify_caller(state::Database& db, const Services& services, const Config& config,
                                                 const HttpRequest& req, std::string_view scope_key, bool query,
                                                 std::int64_t now) {
  const bool verify_all = services.static_keys != nullptr;
  // The common case stays free: no --credentials and a key berth did not mint reads nothing.
  if (!verify_all && !scope_key.starts_with("ASIA")) return root_identity(scope_key, config.account_id);
  sigv4::Request sr{req.method, req.target, req.headers, req.body};
  bool malformed = false;
  auto sig = sigv4::parse(sr, &malformed);
  if (!sig) {
    if (verify_all) return sigv4::error_for(malformed ? sigv4::Check::Malformed : sigv4::Check::Missing, query, nullptr, now);
  }
  std::string key = sig ? sig->access_key : std::string(scope_key);
  std::optional<Identity> id;
  db.read([&](state::Connection& c) {
    id = identify(c, services.minter, services.static_keys, key, config.account_id, now);
  });
  if (!id) return sigv4::unknown_key(query);
  if (sig && id->secret) {
    auto check = sigv4::verify(sr, *sig, *id->secret, now);
    if (check != sigv4::Check::Ok) return sigv4::error_for(check, query, &*sig, now);
  }
  return *id;
}

std::optional<AwsError> authorize_caller(state::Database& db, const Config& config, const Identity& caller,
                                         std::string_view iam_prefix, std::string_view operation, bool query) {
  if (!config.enforce_iam || caller.is_root()) return std::nullopt;
  std::string action = std::string(iam_prefix) + ":" + std::string(operation);
  // AWS answers GetCallerIdentity whatever the policies say ("no permissions are required").
  if (action == "sts:GetCallerIdentity") return std::nullopt;
  std::optional<AwsError> err;
  db.read([&](state::Connection& c) { err = authorize(c, caller, action, "*", query); });
  return err;
}

bool signed_with_task_key(state::Database& db, const berth::iam::CredentialMinter& minter, const HttpRequest& req,
                          std::string_view default_account, std::int64_t now) {
  Caller scope = caller_from_authorization(req.authorization, default_account, "");
  if (scope.access_key.empty()) return false;
  std::optional<Identity> who;
  db.read([&](state::Connection& c) { who = identify(c, &minter, nullptr, scope.access_key, default_account, now); });
  return who && who->minted && who->task_arn;
}

}  // namespace berth::api
