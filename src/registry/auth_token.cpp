#include "registry/auth_token.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/base64.h"
#include "registry/digest.h"

namespace berth::registry {
TokenIssuer::TokenIssuer(const std::string& secret_file) {
  std::ifstream in(secret_file);
  std::getline(in, secret_);
  if (secret_.size() >= 32) return;
  std::random_device rd;
  std::ostringstream s;
  for (int i = 0; i < 8; ++i) s << std::hex << rd();
  secret_ = s.str();
  std::filesystem::create_directories(std::filesystem::path(secret_file).parent_path());
  std::ofstream out(secret_file, std::ios::trunc);
  out << secret_ << "\n";
  std::filesystem::permissions(secret_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

std::string TokenIssuer::issue(std::string_view account, std::string_view region, std::int64_t expires_at,
                               std::string_view principal) const {
  std::string payload = std::string(account) + ":" + std::string(region) + ":" + std::to_string(expires_at);
  if (!principal.empty()) payload += ":" + std::string(principal);
  return "berth1." + base64::encode(payload) + "." + hmac_sha256_hex(secret_, payload);
}

std::optional<TokenIdentity> TokenIssuer::verify(std::string_view password, std::int64_t now) const {
  if (!password.starts_with("berth1.")) return std::nullopt;
  std::string_view rest = password.substr(7);
  auto dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = base64::decode(rest.substr(0, dot));
  if (!payload || hmac_sha256_hex(secret_, *payload) != rest.substr(dot + 1)) return std::nullopt;
  // account:region:expires[:principal]; neither field holds a colon.
  TokenIdentity id;
  auto c1 = payload->find(':');
  auto c2 = c1 == std::string::npos ? c1 : payload->find(':', c1 + 1);
  if (c2 == std::string::npos) return std::nullopt;
  auto c3 = payload->find(':', c2 + 1);
  id.account = payload->substr(0, c1);
  id.region = payload->substr(c1 + 1, c2 - c1 - 1);
  id.expires_at = std::strtoll(payload->c_str() + c2 + 1, nullptr, 10);
  if (c3 != std::string::npos) id.principal = payload->substr(c3 + 1);
  if (id.expires_at <= now) return std::nullopt;
  return id;
}

}  // namespace berth::registry
