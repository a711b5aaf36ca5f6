#pragma once
// Base64 in the two alphabets AWS and Docker use: standard (+/) and URL-safe (-_).
#include <optional>
#include <string>
#include <string_view>

namespace berth::base64 {

enum class Alphabet { Standard, Url };

std::string encode(std::string_view bytes, Alphabet alphabet = Alphabet::Standard, bool pad = true);
// nullopt when `text` holds a character outside the alphabet; padding is optional.
std::optional<std::string> decode(std::string_view text, Alphabet alphabet = Alphabet::Standard);

}  // namespace berth::base64
