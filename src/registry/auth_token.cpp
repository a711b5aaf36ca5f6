#include "registry/auth_token.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "registry/digest.h"

namespace berth::registry {
namespace {
constexpr const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view in) {
  std::string out;
  unsigned val = 0;
  int bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(kAlphabet[(val >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(kAlphabet[((val << 8) >> (bits + 8)) & 0x3F]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
  std::string out;
  unsigned val = 0;
  int bits = -8;
  for (char c : in) {
    if (c == '=') break;
    const char* p = std::strchr(kAlphabet, c);
    if (!p || !c) return std::nullopt;
    val = (val << 6) + static_cast<unsigned>(p - kAlphabet);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

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

std::string TokenIssuer::issue(std::string_view account, std::string_view region, std::int64_t expires_at) const {
  std::string payload = std::string(account) + ":" + std::string(region) + ":" + std::to_string(expires_at);
  return "berth1." + base64_encode(payload) + "." + hmac_sha256_hex(secret_, payload);
}

std::optional<TokenIdentity> TokenIssuer::verify(std::string_view password, std::int64_t now) const {
  if (!password.starts_with("berth1.")) return std::nullopt;
  std::string_view rest = password.substr(7);
  auto dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = base64_decode(rest.substr(0, dot));
  if (!payload || hmac_sha256_hex(secret_, *payload) != rest.substr(dot + 1)) return std::nullopt;
  TokenIdentity id;
  auto c1 = payload->find(':'), c2 = payload->rfind(':');
  if (c1 == std::string::npos || c2 == c1) return std::nullopt;
  id.account = payload->substr(0, c1);
  id.region = payload->substr(c1 + 1, c2 - c1 - 1);
  id.expires_at = std::strtoll(payload->c_str() + c2 + 1, nullptr, 10);
  if (id.expires_at <= now) return std::nullopt;
  return id;
}

}  // namespace berth::registry
