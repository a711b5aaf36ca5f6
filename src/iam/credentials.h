#pragma once
// Temporary credentials berth mints (STS AssumeRole and GetSessionToken, task roles): access
// key ids `ASIA` + 16 characters whose secret and session token are HMACs of the key id under
// a secret kept in the data directory. Rows (state/iam_store) say whose a key is; the secret
// itself is never stored, so a copy of berth.db holds no usable credentials, and a key's
// secret survives restarts.
#include <string>
#include <string_view>

namespace berth::iam {

class CredentialMinter {
 public:
  // Reads the secret from `secret_file`, creating it (0600) on first use.
  static CredentialMinter from_file(const std::string& secret_file);
  explicit CredentialMinter(std::string secret) : secret_(std::move(secret)) {}

  // A fresh random key id.
  static std::string new_access_key();
  // The same key id for the same seed (a task's credentials id): fetching a task's
  // credentials twice gives one key.
  std::string access_key_for(std::string_view seed) const;
  std::string secret_for(std::string_view access_key) const;         // 40 characters
  std::string session_token_for(std::string_view access_key) const;  // base64

 private:
  std::string secret_;
};

}  // namespace berth::iam
