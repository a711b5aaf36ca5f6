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
  // Whom the token was issued to: the verified access key of the GetAuthorizationToken caller
  // (under --credentials), kBerthPrincipal for berth's own pulls, or empty (keys not verified).
  std::string principal;
};

class TokenIssuer {
 public:
  // Reads the secret from `secret_file`, creating it on first use.
  explicit TokenIssuer(const std::string& secret_file);
  static constexpr std::int64_t kLifetimeMillis = 12LL * 3600 * 1000;
  static constexpr std::string_view kBerthPrincipal = "berth";

  std::string issue(std::string_view account, std::string_view region, std::int64_t expires_at,
                    std::string_view principal = {}) const;
  // The identity of a password that is genuine and not expired.
  std::optional<TokenIdentity> verify(std::string_view password, std::int64_t now) const;

 private:
  std::string secret_;
};


}  // namespace berth::registry
