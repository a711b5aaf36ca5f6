#pragma once
// Registry passwords as ECR's GetAuthorizationToken hands them out: valid for 12 hours, bound
// to an account and region, and verifiable after a restart because they are HMAC-signed with
// a secret kept in the data directory.
#include <cstdint>
#include <optional>
#include <string>

namespace berth::registry {

struct TokenIdentity {
  std::string account;
  std::string region;
  std::int64_t expires_at = 0;  // epoch millis
};

class TokenIssuer {
 public:
  // Reads the secret from `secret_file`, creating it on first use.
  explicit TokenIssuer(const std::string& secret_file);
  static constexpr std::int64_t kLifetimeMillis = 12LL * 3600 * 1000;

  std::string issue(std::string_view account, std::string_view region, std::int64_t expires_at) const;
  // The identity of a password that is genuine and not expired.
  std::optional<TokenIdentity> verify(std::string_view password, std::int64_t now) const;

 private:
  std::string secret_;
};


}  // namespace berth::registry
