#pragma once
// nextToken handling shared by every List operation: opaque tokens that carry the position
// (the last key returned), and maxResults with each operation's default.
#include <optional>
#include <string>
#include <string_view>

namespace berth::api::pagination {

std::string encode(std::string_view cursor);
// nullopt when the token was not made by encode().
std::optional<std::string> decode(std::string_view token);

}  // namespace berth::api::pagination
