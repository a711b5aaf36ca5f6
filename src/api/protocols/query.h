#pragma once
// The query protocol's pieces the router needs besides the Protocol itself.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::api::protocols {

// `a=1&b=x%20y` as decoded (name, value) pairs in order; '+' is a space. Pure.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view form);
// The first value of `name` in a form, nullopt-like empty when absent (`found` tells).
std::string form_value(std::string_view form, std::string_view name, bool* found = nullptr);

}  // namespace berth::api::protocols
