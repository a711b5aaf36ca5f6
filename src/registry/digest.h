#pragma once
// Content digests ("sha256:<64 hex>"), computed while bytes stream in.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace berth::registry {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(const void* data, std::size_t size);
  // "sha256:<hex>"; the hasher cannot be used afterwards.
  std::string finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

std::string sha256_digest(std::string_view bytes);

// Whether `d` is a digest berth can verify: "sha256:" and 64 lowercase hex digits.
bool is_sha256_digest(std::string_view d);
// Whether `d` is of the general form ALGORITHM:ENCODED of the OCI spec.
bool is_digest_syntax(std::string_view d);

// HMAC-SHA256 of `data` under `key`, as lowercase hex.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace berth::registry
