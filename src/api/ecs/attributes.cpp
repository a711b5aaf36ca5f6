// PutAttributes, ListAttributes, DeleteAttributes: custom attributes on container instances
// (targetType container-instance, the only target ECS has), kept in the instance's doc beside
// ECS's own attributes, which memberOf expressions read alike.
#include <algorithm>
#include <regex>

#include "api/ecs/container_instance_view.h"
#include "api/ecs/errors.h"
#include "api/ecs/identifiers.h"
#include "api/ecs/shapes.h"
#include "api/pagination.h"
#include "api/services.h"
#include "ecs/container_host.h"
#include "state/ecs_cluster_store.h"
#include "state/ecs_container_instance_store.h"

namespace berth::api::ecs {
namespace {
using Attributes = std::vector<std::pair<std::string, std::optional<std::string>>>;
constexpr std::size_t kMaxCustom = 10;  // custom attributes per resource

bool builtin(std::string_view name) { return name.starts_with("ecs.") || name.starts_with("com.amazonaws.ecs."); }

std::string rewrite_attributes(const std::string& doc_text, const Attributes& attributes) {
  rapidjson::Document doc;
  doc.Parse(doc_text.c_str(), doc_text.size());
  auto& a = doc.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& [name, value] : attributes) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("name", rapidjson::Value(name.c_str(), a), a);
    if (value) item.AddMember("value", rapidjson::Value(value->c_str(), a), a);
    list.PushBack(item, a);
  }
  doc.RemoveMember("attributes");
  doc.AddMember("attributes", list, a);
  return json::dump(doc);
}

void write_attribute(json::Writer& w, std::string_view name, const std::optional<std::string>& value,
                     std::string_view target) {
  w.StartObject();
  json::kv(w, "name", name);
  if (value) json::kv(w, "value", *value);
  json::kv(w, "targetType", "container-instance");
  json::kv(w, "targetId", target);
  w.EndObject();
}

struct Target {
  state::ContainerInstanceRow row;
  Attributes attributes;
};

// Checks every attribute of the request and finds its target; nothing is written on an error.
std::variant<std::map<std::string, Target>, AwsError> targets_of(OpContext& ctx, const state::ClusterRow& cluster,
                                                                 const json::Value& attrs, bool putting) {
  static const std::regex name_re(R"([a-zA-Z0-9_./\\-]{1,128})");
  static const std::regex value_re(R"([a-zA-Z0-9_.@/\\: -]{1,128})");
  std::map<std::string, Target> out;
  if (attrs.Size() == 0) return errors::invalid_parameter("Attributes cannot be empty.");
  if (attrs.Size() > 10) return errors::invalid_parameter("attributes can have at most 10 items.");
  state::ContainerInstanceStore store(ctx.db, ctx.scope());
  for (const auto& x : attrs.GetArray()) {
    std::string name(json::view(x["name"]));
    auto value = json::get_string(x, "value");
    if (!std::regex_match(name, name_re))
      return errors::invalid_parameter("Attribute name '" + name +
                                       "' must be 1-128 letters, numbers, hyphens, underscores, forward or back slashes, or periods.");
    if (putting && value &&
        (!std::regex_match(value->begin(), value->end(), value_re) || value->front() == ' ' || value->back() == ' '))
      return errors::invalid_parameter("Attribute value '" + std::string(*value) +
                                       "' must be 1-128 letters, numbers, hyphens, underscores, periods, at signs, forward or back slashes, colons, or spaces, and cannot start or end with a space.");
    if (auto type = json::get_string(x, "targetType"); type && *type != "container-instance")
      return errors::invalid_parameter("Invalid target type: " + std::string(*type) + ".");
    auto id = json::get_string(x, "targetId");
    if (!id || id->empty()) return errors::invalid_parameter("Target id is required for attribute " + name + ".");
    auto arn = container_instance_arn(ctx, cluster.name, *id);
    if (!arn) return AwsError::client("TargetNotFoundException", "Could not find " + std::string(*id) + ".");
    if (!out.count(*arn)) {
      auto row = store.get(*arn);
      if (!row || row->cluster != cluster.name || row->status == "INACTIVE")
        return AwsError::client("TargetNotFoundException", "Could not find " + std::string(*id) + ".");
      rapidjson::Document doc;
      doc.Parse(row->doc.c_str(), row->doc.size());
      out[*arn] = {*row, berth::ecs::attributes_of(doc)};
    }
    Attributes& list = out[*arn].attributes;
    auto it = std::find_if(list.begin(), list.end(), [&](const auto& p) { return p.first == name; });
    if (putting) {
      std::optional<std::string> v = value ? std::optional<std::string>(*value) : std::nullopt;
      if (it != list.end()) it->second = v;
      else list.emplace_back(name, v);
    } else if (it != list.end()) {
      list.erase(it);
    }
  }
  for (const auto& [arn, t] : out) {
    auto custom = std::count_if(t.attributes.begin(), t.attributes.end(), [](const auto& p) { return !builtin(p.first); });
    if (static_cast<std::size_t>(custom) > kMaxCustom)
      return AwsError::client("AttributeLimitExceededException",
                              "You can have at most 10 custom attributes on a container instance.");
  }
  return out;
}

Outcome change_attributes(OpContext& ctx, const json::Value& in, bool putting) {
  auto name = cluster_name(ctx, cluster_or_default(in));
  auto cluster = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!cluster || cluster->status != "ACTIVE") return errors::cluster_not_found();
  auto targets = targets_of(ctx, *cluster, in["attributes"], putting);
  if (auto* e = std::get_if<AwsError>(&targets)) return *e;
  state::ContainerInstanceStore store(ctx.db, ctx.scope());
  for (auto& [arn, t] : std::get<std::map<std::string, Target>>(targets)) {
    t.row.doc = rewrite_attributes(t.row.doc, t.attributes);
    store.put(t.row);
  }
  Body b;
  b.w.StartObject();
  b.w.Key("attributes");
  b.w.StartArray();
  for (const auto& x : in["attributes"].GetArray()) {
    auto arn = container_instance_arn(ctx, cluster->name, json::view(x["targetId"]));
    auto v = json::get_string(x, "value");
    write_attribute(b.w, json::view(x["name"]), v ? std::optional<std::string>(*v) : std::nullopt, arn.value_or(""));
  }
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}

Outcome put_attributes(OpContext& ctx, const json::Value& in) { return change_attributes(ctx, in, true); }
Outcome delete_attributes(OpContext& ctx, const json::Value& in) { return change_attributes(ctx, in, false); }

Outcome list_attributes(OpContext& ctx, const json::Value& in) {
  auto name = cluster_name(ctx, cluster_or_default(in));
  auto cluster = name ? state::ClusterStore(ctx.db, ctx.scope()).get(*name) : std::nullopt;
  if (!cluster || cluster->status != "ACTIVE") return errors::cluster_not_found();
  auto page = page_of(in, 100, 100);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  auto want_name = json::get_string(in, "attributeName");
  auto want_value = json::get_string(in, "attributeValue");
  if (want_value && !want_name)
    return errors::invalid_parameter("attributeValue can only be specified with attributeName.");
  struct Item {
    std::string name;
    std::optional<std::string> value;
    std::string target;
  };
  std::vector<Item> items;
  for (const auto& row : state::ContainerInstanceStore(ctx.db, ctx.scope()).in_cluster(cluster->name)) {
    if (row.status == "INACTIVE") continue;
    rapidjson::Document doc;
    doc.Parse(row.doc.c_str(), row.doc.size());
    for (auto& [n, v] : berth::ecs::attributes_of(doc)) {
      if (want_name && n != *want_name) continue;
      if (want_value && v != std::optional<std::string>(std::string(*want_value))) continue;
      items.push_back({n, v, row.arn});
    }
  }
  std::size_t start = 0;
  if (!p.cursor.empty()) {
    start = static_cast<std::size_t>(std::atoll(p.cursor.c_str()));
    if (start == 0 || start > items.size()) return errors::invalid_next_token();
  }
  std::size_t end = std::min(items.size(), start + static_cast<std::size_t>(p.limit));
  Body b;
  b.w.StartObject();
  b.w.Key("attributes");
  b.w.StartArray();
  for (std::size_t i = start; i < end; ++i) write_attribute(b.w, items[i].name, items[i].value, items[i].target);
  b.w.EndArray();
  if (end < items.size()) json::kv(b.w, "nextToken", pagination::encode(std::to_string(end)));
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_attributes(OperationTable& t) {
  t.add("ecs", "PutAttributes", put_attributes, Access::Write);
  t.add("ecs", "DeleteAttributes", delete_attributes, Access::Write);
  t.add("ecs", "ListAttributes", list_attributes, Access::Read);
}

}  // namespace berth::api::ecs
