// CreateCluster, DescribeClusters, ListClusters, UpdateCluster, UpdateClusterSettings,
// PutClusterCapacityProviders, DeleteCluster.
#include <set>

#include "api/ecs/account_settings.h"
#include "api/ecs/errors.h"
#include "api/ecs/identifiers.h"
#include "api/ecs/shapes.h"
#include "api/ecs/tags.h"
#include "api/pagination.h"
#include "api/iam/roles.h"
#include "api/services.h"
#include "state/ecs_cluster_store.h"
#include "state/ecs_container_instance_store.h"
#include "state/ecs_service_store.h"
#include "state/ecs_task_store.h"
#include "state/tags_store.h"

namespace berth::api::ecs {
namespace {
using state::ClusterRow;
using state::ClusterStore;

bool is_builtin_provider(std::string_view name) { return name == "FARGATE" || name == "FARGATE_SPOT"; }

// Capacity providers and default strategy of a cluster, checked as ECS checks them.
std::optional<AwsError> check_capacity(const json::Value* providers, const json::Value* strategy) {
  std::set<std::string_view> names;
  if (providers)
    for (const auto& p : providers->GetArray()) {
      if (!is_builtin_provider(json::view(p)))
        return errors::invalid_parameter("The specified capacity provider '" + std::string(json::view(p)) +
                                         "' does not exist. Specify a valid capacity provider and try again.");
      names.insert(json::view(p));
    }
  if (!strategy) return std::nullopt;
  std::set<std::string_view> seen;
  int with_base = 0;
  for (const auto& item : strategy->GetArray()) {
    std::string_view cp = json::get_string(item, "capacityProvider").value_or("");
    if (!names.count(cp))
      return errors::invalid_parameter(
          "The specified capacity provider strategy cannot contain a capacity provider that is not associated "
          "with the cluster. Associate the capacity provider with the cluster or specify a valid capacity "
          "provider and try again.");
    if (!seen.insert(cp).second)
      return errors::invalid_parameter("The specified capacity provider strategy cannot contain duplicate capacity providers.");
    if (json::get_int(item, "base").value_or(0) > 0) ++with_base;
  }
  if (with_base > 1)
    return errors::invalid_parameter("The specified capacity provider strategy cannot have a base value for more than one capacity provider.");
  return std::nullopt;
}

std::optional<AwsError> check_settings(const json::Value* settings) {
  if (!settings) return std::nullopt;
  for (const auto& s : settings->GetArray()) {
    std::string_view value = json::get_string(s, "value").value_or("");
    if (value != "enabled" && value != "disabled" && value != "enhanced")
      return errors::invalid_parameter("The value '" + std::string(value) +
                                       "' is not valid for the containerInsights setting. Valid values are enabled, disabled and enhanced.");
  }
  return std::nullopt;
}

void set_member(rapidjson::Document& doc, const char* name, rapidjson::Value v) {
  auto& a = doc.GetAllocator();
  if (auto it = doc.FindMember(name); it != doc.MemberEnd())
    it->value = std::move(v);
  else
    doc.AddMember(rapidjson::Value(name, a), std::move(v), a);
}

// The strategy as ECS echoes it: base and weight always present.
rapidjson::Value strategy_value(const json::Value* strategy, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value out(rapidjson::kArrayType);
  if (strategy)
    for (const auto& item : strategy->GetArray()) {
      rapidjson::Value o(rapidjson::kObjectType);
      o.AddMember("capacityProvider", rapidjson::Value(item["capacityProvider"], a), a);
      o.AddMember("weight", json::get_int(item, "weight").value_or(0), a);
      o.AddMember("base", json::get_int(item, "base").value_or(0), a);
      out.PushBack(o, a);
    }
  return out;
}

rapidjson::Value service_connect_value(OpContext& ctx, const json::Value& defaults,
                                       rapidjson::Document::AllocatorType& a) {
  std::string ns(json::get_string(defaults, "namespace").value_or(""));
  if (!ns.starts_with("arn:"))
    ns = "arn:aws:servicediscovery:" + ctx.region + ":" + ctx.account + ":namespace/" + ns;
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("namespace", rapidjson::Value(ns.c_str(), a), a);
  return o;
}

std::string serialize(const rapidjson::Document& doc) { return json::dump(doc); }

Outcome reply_with_cluster(OpContext& ctx, const ClusterRow& row) {
  Body b;
  b.w.StartObject();
  b.w.Key("cluster");
  write_cluster(ctx, b.w, row, ClusterView::mutation());
  b.w.EndObject();
  return b.done();
}

// The ACTIVE cluster a mutating call names, or ClusterNotFoundException.
std::variant<ClusterRow, AwsError> active_cluster(OpContext& ctx, std::string_view identifier) {
  auto name = cluster_name(ctx, identifier);
  if (!name) return errors::cluster_not_found();
  auto row = ClusterStore(ctx.db, ctx.scope()).get(*name);
  if (!row || row->status != "ACTIVE") return errors::cluster_not_found();
  return std::move(*row);
}

Outcome create_cluster(OpContext& ctx, const json::Value& in) {
  std::string name(json::get_string(in, "clusterName").value_or("default"));
  if (name.empty()) name = "default";
  if (!valid_name(name))
    return errors::invalid_parameter("Cluster name must match ^[a-zA-Z0-9\\-_]{1,255}$, but was " + name);
  const json::Value* providers = json::member(in, "capacityProviders");
  const json::Value* strategy = json::member(in, "defaultCapacityProviderStrategy");
  if (auto e = check_capacity(providers, strategy)) return *e;
  if (auto e = check_settings(json::member(in, "settings"))) return *e;
  auto tags = tags_of(in);
  if (auto e = check_tags(tags)) return *e;

  ClusterStore store(ctx.db, ctx.scope());
  // Creating a cluster that exists and is active returns it unchanged.
  if (auto existing = store.get(name); existing && existing->status == "ACTIVE")
    return reply_with_cluster(ctx, *existing);

  std::string arn = arns::cluster(ctx.region, ctx.account, name);
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  rapidjson::Value settings(rapidjson::kArrayType);
  if (const json::Value* s = json::member(in, "settings"))
    settings.CopyFrom(*s, a);
  else {
    rapidjson::Value ci(rapidjson::kObjectType);
    ci.AddMember("name", "containerInsights", a);
    ci.AddMember("value", rapidjson::Value(effective_account_setting(ctx, "containerInsights").c_str(), a), a);
    settings.PushBack(ci, a);
  }
  doc.AddMember("settings", settings, a);
  rapidjson::Value cps(rapidjson::kArrayType);
  if (providers) cps.CopyFrom(*providers, a);
  doc.AddMember("capacityProviders", cps, a);
  doc.AddMember("defaultCapacityProviderStrategy", strategy_value(strategy, a), a);
  if (const json::Value* c = json::member(in, "configuration")) doc.AddMember("configuration", rapidjson::Value(*c, a), a);
  if (const json::Value* sc = json::member(in, "serviceConnectDefaults"))
    doc.AddMember("serviceConnectDefaults", service_connect_value(ctx, *sc, a), a);

  ClusterRow row{name, arn, "ACTIVE", ctx.clock.now_millis(), serialize(doc)};
  store.put(row);
  iam::ensure_service_linked_role(ctx.db, ctx.account, row.created_at);  // as ECS does with the first cluster
  state::TagsStore tags_store(ctx.db);
  tags_store.remove_all(arn);  // a re-created cluster starts without the old one's tags
  tags_store.put(arn, tags);
  return reply_with_cluster(ctx, row);
}

Outcome describe_clusters(OpContext& ctx, const json::Value& in) {
  ClusterView view;
  if (const json::Value* inc = json::member(in, "include"))
    for (const auto& i : inc->GetArray()) {
      std::string_view s = json::view(i);
      view.attachments |= s == "ATTACHMENTS";
      view.configurations |= s == "CONFIGURATIONS";
      view.settings |= s == "SETTINGS";
      view.statistics |= s == "STATISTICS";
      view.tags |= s == "TAGS";
    }
  std::vector<std::string> ids;
  if (const json::Value* c = json::member(in, "clusters"); c && c->Size() > 0)
    for (const auto& id : c->GetArray()) ids.emplace_back(json::view(id));
  else
    ids.emplace_back("default");
  if (ids.size() > 100) return errors::invalid_parameter("clusters can have at most 100 items.");

  ClusterStore store(ctx.db, ctx.scope());
  Body b;
  std::vector<std::string> missing;
  b.w.StartObject();
  b.w.Key("clusters");
  b.w.StartArray();
  for (const auto& id : ids) {
    auto name = cluster_name(ctx, id);
    auto row = name ? store.get(*name) : std::nullopt;
    if (row)
      write_cluster(ctx, b.w, *row, view);
    else
      missing.push_back(id.starts_with("arn:") ? id : arns::cluster(ctx.region, ctx.account, id));
  }
  b.w.EndArray();
  write_failures(b.w, missing);
  b.w.EndObject();
  return b.done();
}

Outcome list_clusters(OpContext& ctx, const json::Value& in) {
  auto page = page_of(in, 100, 100);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  auto rows = ClusterStore(ctx.db, ctx.scope()).list_active(p.cursor, p.limit + 1);
  Body b;
  b.w.StartObject();
  b.w.Key("clusterArns");
  b.w.StartArray();
  for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(p.limit); ++i) json::str(b.w, rows[i].arn);
  b.w.EndArray();
  if (rows.size() > static_cast<std::size_t>(p.limit)) json::kv(b.w, "nextToken", pagination::encode(rows[p.limit - 1].name));
  b.w.EndObject();
  return b.done();
}

// Applies changes to an active cluster's stored doc and answers with the cluster.
template <class Change>
Outcome update_doc(OpContext& ctx, std::string_view identifier, Change change) {
  auto found = active_cluster(ctx, identifier);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  ClusterRow row = std::get<ClusterRow>(std::move(found));
  rapidjson::Document doc;
  doc.Parse(row.doc.c_str(), row.doc.size());
  change(doc);
  row.doc = serialize(doc);
  ClusterStore(ctx.db, ctx.scope()).put(row);
  return reply_with_cluster(ctx, row);
}

void merge_settings(rapidjson::Document& doc, const json::Value& settings) {
  auto& a = doc.GetAllocator();
  if (!doc.HasMember("settings")) doc.AddMember("settings", rapidjson::Value(rapidjson::kArrayType), a);
  auto& current = doc["settings"];
  for (const auto& s : settings.GetArray()) {
    bool replaced = false;
    for (auto& c : current.GetArray())
      if (json::get_string(c, "name") == json::get_string(s, "name")) {
        c["value"] = rapidjson::Value(s["value"], a);
        replaced = true;
      }
    if (!replaced) current.PushBack(rapidjson::Value(s, a), a);
  }
}

Outcome update_cluster(OpContext& ctx, const json::Value& in) {
  if (auto e = check_settings(json::member(in, "settings"))) return *e;
  return update_doc(ctx, json::view(in["cluster"]), [&](rapidjson::Document& doc) {
    if (const json::Value* s = json::member(in, "settings")) merge_settings(doc, *s);
    if (const json::Value* c = json::member(in, "configuration"))
      set_member(doc, "configuration", rapidjson::Value(*c, doc.GetAllocator()));
    if (const json::Value* sc = json::member(in, "serviceConnectDefaults"))
      set_member(doc, "serviceConnectDefaults", service_connect_value(ctx, *sc, doc.GetAllocator()));
  });
}

Outcome update_cluster_settings(OpContext& ctx, const json::Value& in) {
  if (auto e = check_settings(json::member(in, "settings"))) return *e;
  return update_doc(ctx, json::view(in["cluster"]),
                    [&](rapidjson::Document& doc) { merge_settings(doc, in["settings"]); });
}

Outcome put_cluster_capacity_providers(OpContext& ctx, const json::Value& in) {
  const json::Value& providers = in["capacityProviders"];
  const json::Value& strategy = in["defaultCapacityProviderStrategy"];
  if (auto e = check_capacity(&providers, &strategy)) return *e;
  return update_doc(ctx, json::view(in["cluster"]), [&](rapidjson::Document& doc) {
    auto& a = doc.GetAllocator();
    set_member(doc, "capacityProviders", rapidjson::Value(providers, a));
    set_member(doc, "defaultCapacityProviderStrategy", strategy_value(&strategy, a));
  });
}

Outcome delete_cluster(OpContext& ctx, const json::Value& in) {
  auto name = cluster_name(ctx, json::view(in["cluster"]));
  if (!name) return errors::cluster_not_found();
  ClusterStore store(ctx.db, ctx.scope());
  auto row = store.get(*name);
  if (!row) return errors::cluster_not_found();
  auto [active, draining] = state::ServiceStore(ctx.db).count(ctx.scope(), row->name);
  if (active + draining > 0)
    return AwsError::client("ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.");
  auto [running, pending] = state::TaskStore(ctx.db).running_and_pending(ctx.scope(), row->name);
  if (running + pending > 0)
    return AwsError::client("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.");
  // berth registers its engine in clusters by itself, so their instances go with the cluster
  // (ECS would answer ClusterContainsContainerInstancesException); a cluster made again under
  // the name gets the engine afresh.
  state::ContainerInstanceStore instances(ctx.db, ctx.scope());
  for (const auto& i : instances.in_cluster(row->name)) instances.remove(i.arn);
  row->status = "INACTIVE";
  store.put(*row);
  return reply_with_cluster(ctx, *row);
}
}  // namespace

void register_clusters(OperationTable& t) {
  t.add("ecs", "CreateCluster", create_cluster, Access::Write);
  t.add("ecs", "DescribeClusters", describe_clusters, Access::Read);
  t.add("ecs", "ListClusters", list_clusters, Access::Read);
  t.add("ecs", "UpdateCluster", update_cluster, Access::Write);
  t.add("ecs", "UpdateClusterSettings", update_cluster_settings, Access::Write);
  t.add("ecs", "PutClusterCapacityProviders", put_cluster_capacity_providers, Access::Write);
  t.add("ecs", "DeleteCluster", delete_cluster, Access::Write);
}

}  // namespace berth::api::ecs
