#include "api/identity.h"

#include <rapidjson/document.h>

#include <fstream>
#include <sstream>

#include "common/arn.h"
#include "common/ids.h"

namespace berth::api {

std::optional<StaticKeys> load_credentials_file(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    error = path + " is not a JSON object";
    return std::nullopt;
  }
  StaticKeys keys;
  for (const auto& m : doc.GetObject()) {
    const auto& v = m.value;
    if (!v.IsObject() || !v.HasMember("secretAccessKey") || !v["secretAccessKey"].IsString()) {
      error = path + ": key " + m.name.GetString() + " needs a secretAccessKey string";
      return std::nullopt;
    }
    std::string account = v.HasMember("accountId") && v["accountId"].IsString() ? v["accountId"].GetString() : "";
    if (!account.empty() && !ids::is_twelve_digits(account)) {
      error = path + ": key " + m.name.GetString() + " has an accountId that is not 12 digits";
      return std::nullopt;
    }
    keys[m.name.GetString()] = {v["secretAccessKey"].GetString(), account};
  }
  return keys;
}

// The account root a key names when berth does not verify it (declared in caller_checks.h).
Identity root_identity(std::string_view access_key, std::string_view default_account) {
  Identity id;
  id.access_key = std::string(access_key);
  id.account = ids::is_twelve_digits(access_key) ? std::string(access_key) : std::string(default_account);
  id.arn = arns::root_principal(id.account);
  id.user_id = id.account;
  return id;
}

std::optional<Identity> identify(state::Connection& c, const berth::iam::CredentialMinter* minter, const StaticKeys* keys,
                                 std::string_view access_key, std::string_view default_account, std::int64_t now) {
  Identity id;
  id.access_key = std::string(access_key);
  if (keys) {
    if (auto it = keys->find(access_key); it != keys->end()) {
      id.account = it->second.account.empty() ? std::string(default_account) : it->second.account;
      id.secret = it->second.secret;
      id.arn = arns::root_principal(id.account);
      id.user_id = id.account;
      return id;
    }
  }
  if (minter && access_key.starts_with("ASIA")) {
    if (auto row = state::StsCredentialStore(c).get(access_key); row && row->expires_at > now) {
      id.account = row->account;
      id.arn = row->arn;
      id.user_id = row->user_id;
      id.role_arn = row->role_arn;
      id.task_arn = row->task_arn;
      id.secret = minter->secret_for(access_key);
      id.minted = true;
      return id;
    }
  }
  // Not a key berth can vouch for: without --credentials it is the account root.
  if (keys) return std::nullopt;
  return root_identity(access_key, default_account);
}

MintedCredentials mint(state::Connection& c, const berth::iam::CredentialMinter& minter, state::CredentialRow row) {
  if (row.access_key_id.empty()) row.access_key_id = berth::iam::CredentialMinter::new_access_key();
  state::StsCredentialStore(c).put(row);
  return {row.access_key_id, minter.secret_for(row.access_key_id), minter.session_token_for(row.access_key_id),
          row.expires_at};
}

std::string assumed_role_arn(std::string_view role_arn, std::string_view session) {
  // arn:aws:iam::ACCT:role/PATH/NAME -> arn:aws:sts::ACCT:assumed-role/NAME/SESSION (the path drops).
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (!role_arn.starts_with(kPrefix)) return std::string(role_arn) + "/" + std::string(session);
  std::string_view rest = role_arn.substr(kPrefix.size());
  std::string_view account = rest.substr(0, rest.find(':'));
  std::string_view name = role_arn.substr(role_arn.rfind('/') + 1);
  return "arn:aws:sts::" + std::string(account) + ":assumed-role/" + std::string(name) + "/" + std::string(session);
}

}  // namespace berth::api
