#pragma once
// One page of a Describe call over registry-wide settings (repository creation templates,
// pull-through cache rules): rows in key order, maxResults default 100, nextToken the last key
// of the page.
#include <algorithm>
#include <cstddef>
#include <variant>
#include <vector>

#include "api/ecr/errors.h"
#include "api/pagination.h"
#include "common/json.h"
#include "state/ecr_settings_store.h"

namespace berth::api::ecr {

struct SettingPage {
  std::size_t start = 0, end = 0;
};

inline std::variant<SettingPage, AwsError> setting_page(const std::vector<state::EcrSettingRow>& rows,
                                                        const json::Value& in) {
  SettingPage p;
  if (auto t = json::get_string(in, "nextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor) return errors::invalid_parameter("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid token'");
    while (p.start < rows.size() && rows[p.start].key <= *cursor) ++p.start;
  }
  std::size_t limit = static_cast<std::size_t>(json::get_int(in, "maxResults").value_or(100));
  p.end = std::min(rows.size(), p.start + limit);
  return p;
}

inline void write_next_token(json::Writer& w, const std::vector<state::EcrSettingRow>& rows, const SettingPage& p) {
  if (p.end < rows.size()) json::kv(w, "nextToken", pagination::encode(rows[p.end - 1].key));
}

}  // namespace berth::api::ecr
