#pragma once
// SHA-256 and HMAC-SHA256 (libcrypto): SigV4 signatures, minted credential secrets.
#include <string>
#include <string_view>

namespace berth::crypto {

std::string sha256(std::string_view bytes);                            // 32 raw bytes
std::string sha256_hex(std::string_view bytes);                        // 64 lowercase hex digits
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string hex(std::string_view bytes);                               // lowercase
// Compares in time independent of where the inputs differ (signatures, secrets).
bool equal_constant_time(std::string_view a, std::string_view b);
// `n` cryptographically random bytes.
std::string random_bytes(std::size_t n);

}  // namespace berth::crypto
