#include "api/pagination.h"

#include "common/base64.h"

namespace berth::api::pagination {
namespace {
constexpr std::string_view kMagic = "berth1:";
}  // namespace

std::string encode(std::string_view cursor) {
  return base64::encode(std::string(kMagic) + std::string(cursor), base64::Alphabet::Url, false);
}

std::optional<std::string> decode(std::string_view token) {
  auto out = base64::decode(token, base64::Alphabet::Url);
  if (!out || !out->starts_with(kMagic)) return std::nullopt;
  return out->substr(kMagic.size());
}

}  // namespace berth::api::pagination
