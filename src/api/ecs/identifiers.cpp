#include "api/ecs/identifiers.h"

#include <algorithm>
#include <charconv>

#include "api/ecs/errors.h"
#include "api/pagination.h"

namespace berth::api::ecs {

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

std::optional<std::string> cluster_name(const OpContext& ctx, std::string_view identifier) {
  if (!identifier.starts_with("arn:")) return std::string(identifier);
  auto arn = Arn::parse(identifier);
  if (!arn || arn->service != "ecs" || arn->resource_type() != "cluster" || arn->account != ctx.account ||
      arn->region != ctx.region)
    return std::nullopt;
  return std::string(arn->resource_id());
}

std::string_view cluster_or_default(const json::Value& input, const char* member) {
  auto v = json::get_string(input, member);
  return v && !v->empty() ? *v : std::string_view("default");
}

std::optional<TaskDefinitionRef> task_definition_ref(const OpContext& ctx, std::string_view id) {
  std::optional<Arn> arn;  // outlives the block: `id` may become a view into it
  if (id.starts_with("arn:")) {
    arn = Arn::parse(id);
    if (!arn || arn->service != "ecs" || arn->resource_type() != "task-definition" ||
        arn->account != ctx.account || arn->region != ctx.region)
      return std::nullopt;
    id = arn->resource_id();
  }
  TaskDefinitionRef ref;
  auto colon = id.rfind(':');
  if (colon == std::string_view::npos) {
    ref.family = std::string(id);
  } else {
    ref.family = std::string(id.substr(0, colon));
    std::string_view rev = id.substr(colon + 1);
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(rev.data(), rev.data() + rev.size(), n);
    if (ec != std::errc() || p != rev.data() + rev.size() || n < 1) return std::nullopt;
    ref.revision = n;
  }
  if (ref.family.empty()) return std::nullopt;
  return ref;
}

std::optional<AwsError> revision_error(std::string_view id) {
  if (id.starts_with("arn:")) {
    auto slash = id.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    id = id.substr(slash + 1);
  }
  auto colon = id.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view rev = id.substr(colon + 1);
  bool digits = !rev.empty() && std::all_of(rev.begin(), rev.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) return std::nullopt;
  return errors::invalid_parameter("Invalid revision number. Number: " + std::string(rev));
}

std::variant<Page, AwsError> page_of(const json::Value& input, int max, int default_limit) {
  Page page;
  page.limit = default_limit;
  if (auto m = json::get_int(input, "maxResults")) {
    if (*m < 1 || *m > max) return errors::invalid_max_results(1, max);
    page.limit = static_cast<int>(*m);
  }
  if (auto t = json::get_string(input, "nextToken"); t && !t->empty()) {
    auto cursor = pagination::decode(*t);
    if (!cursor) return errors::invalid_next_token();
    page.cursor = std::move(*cursor);
  }
  return page;
}

}  // namespace berth::api::ecs
