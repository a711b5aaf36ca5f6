#pragma once
// What the Describe* operations of Application Auto Scaling share: a NextToken's cursor, the
// optional list of names a call narrows to, and one page of the rows those names keep.
#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "api/autoscaling/errors.h"
#include "api/context.h"
#include "api/pagination.h"

namespace berth::api::autoscaling {

// The cursor the call's NextToken carries ("" without one), or InvalidNextTokenException.
inline std::variant<std::string, AwsError> cursor_of(const json::Value& in) {
  auto t = json::get_string(in, "NextToken");
  if (!t) return std::string();
  auto c = pagination::decode(*t);
  if (!c) return errors::invalid_next_token();
  return *c;
}

// The strings of a list member (ResourceIds, PolicyNames, ScheduledActionNames); empty when absent.
inline std::vector<std::string> names_of(const json::Value& in, const char* member) {
  std::vector<std::string> out;
  if (const auto* l = json::member(in, member); l && l->IsArray())
    for (const auto& v : l->GetArray()) out.emplace_back(json::view(v));
  return out;
}

template <class Row>
struct Page {
  std::vector<Row> rows;
  bool more = false;  // rows the names keep remain after this page
};

// The first `limit` rows whose name (name_of(row)) is among `names` (all rows when it is empty).
template <class Row, class NameOf>
Page<Row> page_by_names(std::vector<Row> rows, const std::vector<std::string>& names, int limit, NameOf name_of) {
  Page<Row> page;
  for (auto& r : rows) {
    if (!names.empty() && std::find(names.begin(), names.end(), name_of(r)) == names.end()) continue;
    if (static_cast<int>(page.rows.size()) == limit) {
      page.more = true;
      break;
    }
    page.rows.push_back(std::move(r));
  }
  return page;
}

}  // namespace berth::api::autoscaling
