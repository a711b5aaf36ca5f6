#pragma once
// Who signed a request: an access key names an account root (a 12-digit key, a key of the
// --credentials file, or any other key: the default account), or a session berth minted
// (AssumeRole, GetSessionToken, a task role's credentials). Also where berth mints those
// sessions, so every minted key has a row saying whose it is.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "iam/credentials.h"
#include "state/db.h"
#include "state/iam_store.h"

namespace berth::api {

struct Identity {
  std::string account;
  std::string arn;      // arn:aws:iam::ACCT:root or arn:aws:sts::ACCT:assumed-role/ROLE/SESSION
  std::string user_id;  // the account id, or AROA...:SESSION
  std::string access_key;
  std::optional<std::string> role_arn;  // whose identity policies apply (--enforce-iam)
  std::optional<std::string> task_arn;
  std::optional<std::string> secret;    // known secret: the key can be verified
  bool minted = false;
  bool is_root() const { return !role_arn; }
};

// --credentials FILE: {"AKID": {"secretAccessKey": "...", "accountId": "123456789012"}}.
struct StaticKey {
  std::string secret;
  std::string account;
};
using StaticKeys = std::map<std::string, StaticKey, std::less<>>;
// nullopt with `error` set when the file cannot be read or is not that shape.
std::optional<StaticKeys> load_credentials_file(const std::string& path, std::string& error);

// The identity of `access_key`; nullopt for a key berth does not know (unknown keys count only
// when signatures are verified). `now` drops expired minted keys.
std::optional<Identity> identify(state::Connection& c, const berth::iam::CredentialMinter* minter, const StaticKeys* keys,
                                 std::string_view access_key, std::string_view default_account, std::int64_t now);

// Credentials as STS hands them out.
struct MintedCredentials {
  std::string access_key;
  std::string secret;
  std::string session_token;
  std::int64_t expires_at = 0;
};

// Records `row` (its access key filled in when empty) and returns its credentials.
MintedCredentials mint(state::Connection& c, const berth::iam::CredentialMinter& minter, state::CredentialRow row);

// The assumed-role caller ARN and user id STS gives a role session.
std::string assumed_role_arn(std::string_view role_arn, std::string_view session);

}  // namespace berth::api
