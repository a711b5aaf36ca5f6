#include "registry/lifecycle.h"

#include <algorithm>
#include <optional>
#include <set>

#include "common/json.h"

namespace berth::registry::lifecycle {
namespace {
constexpr std::int64_t kDayMillis = 24LL * 60 * 60 * 1000;
constexpr int kMaxWildcards = 4;

using Fail = std::string;

// The first member of `obj` not in `allowed`, for ECR's "properties which are not allowed".
std::optional<std::string> unknown_member(const json::Value& obj, std::initializer_list<std::string_view> allowed) {
  for (const auto& m : obj.GetObject()) {
    std::string_view name = json::view(m.name);
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) return std::string(name);
  }
  return std::nullopt;
}

std::optional<Fail> read_string_list(const json::Value& selection, const char* name, std::vector<std::string>& out) {
  const json::Value* list = json::member(selection, name);
  if (!list) return std::nullopt;
  if (!list->IsArray() || list->Empty()) return Fail(std::string(name) + " must be a non-empty array of strings");
  for (const auto& v : list->GetArray()) {
    if (!v.IsString() || v.GetStringLength() == 0) return Fail(std::string(name) + " must contain non-empty strings");
    out.emplace_back(json::view(v));
  }
  return std::nullopt;
}

std::optional<Fail> parse_selection(const json::Value& sel, Rule& rule) {
  if (!sel.IsObject()) return Fail("selection must be an object");
  if (auto bad = unknown_member(sel, {"tagStatus", "tagPrefixList", "tagPatternList", "countType", "countUnit",
                                      "countNumber"}))
    return Fail("object instance has properties which are not allowed by the schema: ([\"" + *bad + "\"])");
  for (const char* required : {"tagStatus", "countType", "countNumber"})
    if (!json::member(sel, required))
      return Fail("object has missing required properties ([\"" + std::string(required) + "\"])");

  std::string_view status = json::get_string(sel, "tagStatus").value_or("");
  if (status == "tagged")
    rule.tag_status = TagStatus::Tagged;
  else if (status == "untagged")
    rule.tag_status = TagStatus::Untagged;
  else if (status == "any")
    rule.tag_status = TagStatus::Any;
  else
    return Fail("tagStatus must be one of tagged, untagged or any");

  if (auto e = read_string_list(sel, "tagPrefixList", rule.tag_prefixes)) return e;
  if (auto e = read_string_list(sel, "tagPatternList", rule.tag_patterns)) return e;
  bool has_filter = !rule.tag_prefixes.empty() || !rule.tag_patterns.empty();
  if (rule.tag_status == TagStatus::Tagged && !has_filter)
    return Fail("tagPrefixList or tagPatternList is required when tagStatus is tagged");
  if (rule.tag_status != TagStatus::Tagged && has_filter)
    return Fail("tagPrefixList and tagPatternList can only be used when tagStatus is tagged");
  if (!rule.tag_prefixes.empty() && !rule.tag_patterns.empty())
    return Fail("a rule cannot specify both tagPrefixList and tagPatternList");
  for (const auto& p : rule.tag_patterns)
    if (std::count(p.begin(), p.end(), '*') > kMaxWildcards)
      return Fail("tagPatternList entry '" + p + "' has more than 4 wildcards (*)");

  std::string_view count_type = json::get_string(sel, "countType").value_or("");
  const json::Value* unit = json::member(sel, "countUnit");
  if (count_type == "imageCountMoreThan") {
    rule.count_type = CountType::ImageCountMoreThan;
    if (unit) return Fail("countUnit can only be used when countType is sinceImagePushed");
  } else if (count_type == "sinceImagePushed") {
    rule.count_type = CountType::SinceImagePushed;
    if (!unit) return Fail("countUnit is required when countType is sinceImagePushed");
    if (!unit->IsString() || json::view(*unit) != "days") return Fail("countUnit must be days");
  } else {
    return Fail("countType must be imageCountMoreThan or sinceImagePushed");
  }
  const json::Value& number = sel["countNumber"];
  if (!number.IsInt64() || number.GetInt64() < 1) return Fail("countNumber must be an integer greater than 0");
  rule.count_number = number.GetInt64();
  return std::nullopt;
}

std::optional<Fail> parse_rule(const json::Value& r, Rule& rule) {
  if (!r.IsObject()) return Fail("each rule must be an object");
  if (auto bad = unknown_member(r, {"rulePriority", "description", "selection", "action"}))
    return Fail("object instance has properties which are not allowed by the schema: ([\"" + *bad + "\"])");
  for (const char* required : {"rulePriority", "selection", "action"})
    if (!json::member(r, required))
      return Fail("object has missing required properties ([\"" + std::string(required) + "\"])");
  const json::Value& priority = r["rulePriority"];
  if (!priority.IsInt64() || priority.GetInt64() < 1) return Fail("rulePriority must be an integer greater than 0");
  rule.priority = priority.GetInt64();
  if (const json::Value* d = json::member(r, "description")) {
    if (!d->IsString()) return Fail("description must be a string");
    rule.description = std::string(json::view(*d));
  }
  if (auto e = parse_selection(r["selection"], rule)) return e;
  const json::Value& action = r["action"];
  if (!action.IsObject() || !json::member(action, "type"))
    return Fail("object has missing required properties ([\"type\"])");
  if (json::get_string(action, "type").value_or("") != "expire") return Fail("action type must be expire");
  return std::nullopt;
}

std::optional<Fail> check_rule_set(const std::vector<Rule>& rules) {
  std::set<std::int64_t> priorities;
  int untagged = 0;
  for (const auto& r : rules) {
    if (!priorities.insert(r.priority).second)
      return Fail("rulePriority " + std::to_string(r.priority) + " is used by more than one rule");
    if (r.tag_status == TagStatus::Untagged && ++untagged > 1)
      return Fail("only one rule can select untagged images");
  }
  // rules are sorted by priority here: an "any" rule must come last.
  for (std::size_t i = 0; i + 1 < rules.size(); ++i)
    if (rules[i].tag_status == TagStatus::Any)
      return Fail("the rule with tagStatus any must have the highest rulePriority");
  return std::nullopt;
}

bool starts_with_any(const std::vector<std::string>& tags, std::string_view prefix) {
  return std::any_of(tags.begin(), tags.end(), [&](const std::string& t) { return t.starts_with(prefix); });
}
}  // namespace

std::variant<Policy, std::string> parse_policy(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return Fail("the policy is not a JSON object");
  if (auto bad = unknown_member(doc, {"rules"}))
    return Fail("object instance has properties which are not allowed by the schema: ([\"" + *bad + "\"])");
  const json::Value* rules = json::member(doc, "rules");
  if (!rules) return Fail("object has missing required properties ([\"rules\"])");
  if (!rules->IsArray() || rules->Empty()) return Fail("rules must be a non-empty array");
  Policy policy;
  for (const auto& r : rules->GetArray()) {
    Rule rule;
    if (auto e = parse_rule(r, rule)) return *e;
    policy.rules.push_back(std::move(rule));
  }
  std::stable_sort(policy.rules.begin(), policy.rules.end(),
                   [](const Rule& a, const Rule& b) { return a.priority < b.priority; });
  if (auto e = check_rule_set(policy.rules)) return *e;
  return policy;
}

bool matches_pattern(std::string_view tag, std::string_view pattern) {
  // Glob with '*' only: on a mismatch, let the last '*' swallow one more character.
  std::size_t t = 0, p = 0, star = std::string_view::npos, resume = 0;
  while (t < tag.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == tag[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool selects(const Rule& rule, const std::vector<std::string>& tags) {
  switch (rule.tag_status) {
    case TagStatus::Any:
      return true;
    case TagStatus::Untagged:
      return tags.empty();
    case TagStatus::Tagged:
      break;
  }
  if (tags.empty()) return false;
  // Every listed prefix or pattern must be matched by at least one of the image's tags.
  for (const auto& prefix : rule.tag_prefixes)
    if (!starts_with_any(tags, prefix)) return false;
  for (const auto& pattern : rule.tag_patterns)
    if (std::none_of(tags.begin(), tags.end(), [&](const std::string& t) { return matches_pattern(t, pattern); }))
      return false;
  return true;
}

std::vector<Expiry> evaluate(const Policy& policy, const std::vector<Image>& images, std::int64_t now) {
  std::vector<Expiry> out;
  std::vector<bool> claimed(images.size(), false);  // selected by a rule of higher priority
  for (const auto& rule : policy.rules) {
    std::vector<std::size_t> selected;
    for (std::size_t i = 0; i < images.size(); ++i)
      if (selects(rule, images[i].tags)) selected.push_back(i);
    // Newest first; the digest breaks ties so results do not depend on input order.
    std::sort(selected.begin(), selected.end(), [&](std::size_t a, std::size_t b) {
      if (images[a].pushed_at != images[b].pushed_at) return images[a].pushed_at > images[b].pushed_at;
      return images[a].digest < images[b].digest;
    });
    std::vector<std::size_t> expiring;
    if (rule.count_type == CountType::ImageCountMoreThan) {
      if (static_cast<std::int64_t>(selected.size()) > rule.count_number)
        expiring.assign(selected.begin() + rule.count_number, selected.end());
    } else {
      std::int64_t cutoff = now - rule.count_number * kDayMillis;
      for (auto i : selected)
        if (images[i].pushed_at < cutoff) expiring.push_back(i);
    }
    // Oldest first, as ECR always expires older images before newer ones.
    for (auto it = expiring.rbegin(); it != expiring.rend(); ++it)
      if (!claimed[*it]) out.push_back({*it, rule.priority});
    for (auto i : selected) claimed[i] = true;
  }
  return out;
}

}  // namespace berth::registry::lifecycle
