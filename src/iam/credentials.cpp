#include "iam/credentials.h"

#include <filesystem>
#include <fstream>

#include "common/base64.h"
#include "common/crypto.h"
#include "common/ids.h"

namespace berth::iam {
namespace {
constexpr const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}

CredentialMinter CredentialMinter::from_file(const std::string& secret_file) {
  std::string secret;
  {
    std::ifstream in(secret_file);
    std::getline(in, secret);
  }
  if (secret.size() >= 32) return CredentialMinter(secret);
  secret = crypto::hex(crypto::random_bytes(32));
  auto dir = std::filesystem::path(secret_file).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir);
  {
    std::ofstream out(secret_file, std::ios::trunc);
    out << secret << "\n";
  }
  std::filesystem::permissions(secret_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return CredentialMinter(secret);
}

std::string CredentialMinter::new_access_key() { return ids::aws_unique_id("ASIA", 16); }

std::string CredentialMinter::access_key_for(std::string_view seed) const {
  std::string mac = crypto::hmac_sha256(secret_, "access-key:" + std::string(seed));
  std::string key = "ASIA";
  for (int i = 0; i < 16; ++i) key.push_back(kAlphabet[static_cast<unsigned char>(mac[i]) % 32]);
  return key;
}

std::string CredentialMinter::secret_for(std::string_view access_key) const {
  std::string mac = crypto::hmac_sha256(secret_, "secret:" + std::string(access_key));
  return base64::encode(mac).substr(0, 40);
}

std::string CredentialMinter::session_token_for(std::string_view access_key) const {
  std::string mac = crypto::hmac_sha256(secret_, "token:" + std::string(access_key));
  return base64::encode("berth-session:" + std::string(access_key) + ":" + mac);
}

}  // namespace berth::iam
