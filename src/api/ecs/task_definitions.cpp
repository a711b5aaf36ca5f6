// RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions,
// ListTaskDefinitionFamilies, DeregisterTaskDefinition, DeleteTaskDefinitions.
#include <charconv>

#include "api/ecs/errors.h"
#include "api/ecs/identifiers.h"
#include "api/ecs/shapes.h"
#include "api/ecs/tags.h"
#include "api/ecs/task_definition_rules.h"
#include "api/model_copy.h"
#include "api/pagination.h"
#include "api/services.h"
#include "state/ecs_task_definition_store.h"
#include "state/tags_store.h"

namespace berth::api::ecs {
namespace {
using state::TaskDefinitionRow;
using state::TaskDefinitionStore;
using rapidjson::Value;

const Shape& output_member_shape(const OpContext& ctx, const char* name) {
  return *ctx.op.output->find_member(name)->shape;
}

// A container definition as ECS echoes it: what was given, plus ECS's defaults.
Value container_value(const Shape& shape, const json::Value& given, std::string_view network_mode, Allocator& a) {
  Value c = modeled_copy(shape, given, a);
  Value out(rapidjson::kObjectType);
  for (const Member& m : shape.members) {
    const char* key = m.name.c_str();
    if (auto it = c.FindMember(key); it != c.MemberEnd()) {
      out.AddMember(Value(key, a), std::move(it->value), a);
    } else if (m.name == "cpu") {
      out.AddMember("cpu", 0, a);
    } else if (m.name == "essential") {
      out.AddMember("essential", true, a);
    } else if (m.name == "portMappings" || m.name == "environment" || m.name == "mountPoints" ||
               m.name == "volumesFrom" || m.name == "systemControls") {
      out.AddMember(Value(key, a), Value(rapidjson::kArrayType), a);
    }
  }
  // Port mappings: protocol defaults to tcp; in awsvpc and host mode the host port is the
  // container port, in bridge mode an absent host port means a dynamic one (0).
  for (auto& pm : out["portMappings"].GetArray()) {
    if (!pm.HasMember("protocol")) pm.AddMember("protocol", "tcp", a);
    if (!pm.HasMember("hostPort") && pm.HasMember("containerPort")) {
      bool same = network_mode == "awsvpc" || network_mode == "host";
      pm.AddMember("hostPort", same ? pm["containerPort"].GetInt() : 0, a);
    }
  }
  return out;
}

Value string_list(const std::vector<std::string>& items, Allocator& a) {
  Value v(rapidjson::kArrayType);
  for (const auto& s : items) v.PushBack(Value(s.c_str(), a), a);
  return v;
}

Outcome reply_with_task_definition(const TaskDefinitionRow& row, const std::vector<state::Tag>* tags) {
  Body b;
  b.w.StartObject();
  b.w.Key("taskDefinition");
  write_task_definition(b.w, row);
  if (tags) {
    b.w.Key("tags");
    write_tags(b.w, *tags);
  }
  b.w.EndObject();
  return b.done();
}

Outcome register_task_definition(OpContext& ctx, const json::Value& in) {
  auto checked = check_task_definition(in);
  if (auto* e = std::get_if<AwsError>(&checked)) return *e;
  const TaskSize size = std::get<TaskSize>(checked);
  auto tags = tags_of(in);
  if (auto e = check_tags(tags)) return *e;

  std::string family(json::view(in["family"]));
  TaskDefinitionStore store(ctx.db, ctx.scope());
  TaskDefinitionRow row;
  row.family = family;
  row.revision = store.next_revision(family);
  row.arn = arns::task_definition(ctx.region, ctx.account, family, row.revision);
  row.status = "ACTIVE";
  row.registered_at = ctx.clock.now_millis();

  // The stored object follows the TaskDefinition shape's member order.
  const Shape& td_shape = output_member_shape(ctx, "taskDefinition");
  const Shape& input_shape = *ctx.op.input;
  std::string_view network = json::get_string(in, "networkMode").value_or("");
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  for (const Member& m : td_shape.members) {
    const std::string& n = m.name;
    Value key(n.c_str(), a);
    if (n == "taskDefinitionArn") {
      doc.AddMember(key, Value(row.arn.c_str(), a), a);
    } else if (n == "revision") {
      doc.AddMember(key, row.revision, a);
    } else if (n == "containerDefinitions") {
      Value list(rapidjson::kArrayType);
      for (const auto& c : in["containerDefinitions"].GetArray())
        list.PushBack(container_value(*m.shape->member, c, network, a), a);
      doc.AddMember(key, list, a);
    } else if (n == "requiresAttributes") {
      auto attrs = required_attributes(in);
      if (attrs.empty()) continue;
      Value list(rapidjson::kArrayType);
      for (const auto& attr : attrs) {
        Value o(rapidjson::kObjectType);
        o.AddMember("name", Value(attr.c_str(), a), a);
        list.PushBack(o, a);
      }
      doc.AddMember(key, list, a);
    } else if (n == "compatibilities") {
      doc.AddMember(key, string_list(compatibilities(in, size), a), a);
    } else if (n == "cpu" && size.cpu) {
      doc.AddMember(key, Value(std::to_string(*size.cpu).c_str(), a), a);
    } else if (n == "memory" && size.memory) {
      doc.AddMember(key, Value(std::to_string(*size.memory).c_str(), a), a);
    } else if (n == "registeredAt") {
      doc.AddMember(key, static_cast<double>(row.registered_at) / 1000.0, a);
    } else if (n == "registeredBy") {
      doc.AddMember(key, Value(ctx.principal_arn().c_str(), a), a);
    } else if (n == "status" || n == "deregisteredAt" || n == "deleteRequestedAt" || n == "cpu" || n == "memory") {
      continue;  // status and lifecycle dates live in their own columns
    } else if (const Member* im = input_shape.find_member(n); im && json::member(in, n.c_str())) {
      doc.AddMember(key, modeled_copy(*im->shape, in[n.c_str()], a), a);
    } else if (n == "volumes" || n == "placementConstraints") {
      doc.AddMember(key, Value(rapidjson::kArrayType), a);
    }
  }
  row.doc = json::dump(doc);
  store.insert(row);
  state::TagsStore(ctx.db).put(row.arn, tags);
  return reply_with_task_definition(row, tags.empty() ? nullptr : &tags);
}

// The row a DescribeTaskDefinition-style identifier names, or ECS's error.
std::variant<TaskDefinitionRow, AwsError> find(OpContext& ctx, std::string_view id) {
  if (auto bad = revision_error(id)) return *bad;
  auto ref = task_definition_ref(ctx, id);
  if (!ref) return errors::task_definition_not_found();
  TaskDefinitionStore store(ctx.db, ctx.scope());
  auto row = ref->revision ? store.get(ref->family, *ref->revision) : store.latest_active(ref->family);
  if (!row) return errors::task_definition_not_found();
  return std::move(*row);
}

Outcome describe_task_definition(OpContext& ctx, const json::Value& in) {
  auto found = find(ctx, json::view(in["taskDefinition"]));
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& row = std::get<TaskDefinitionRow>(found);
  bool with_tags = false;
  if (const json::Value* inc = json::member(in, "include"))
    for (const auto& i : inc->GetArray()) with_tags |= json::view(i) == "TAGS";
  if (!with_tags) return reply_with_task_definition(row, nullptr);
  auto tags = state::TagsStore(ctx.db).list(row.arn);
  return reply_with_task_definition(row, &tags);
}

Outcome list_task_definitions(OpContext& ctx, const json::Value& in) {
  auto page = page_of(in, 100, 100);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  std::string_view status = json::get_string(in, "status").value_or("ACTIVE");
  bool descending = json::get_string(in, "sort") == std::string_view("DESC");
  std::optional<state::FamilyCursor> after;
  if (!p.cursor.empty()) {
    auto colon = p.cursor.rfind(':');
    std::int64_t rev = 0;
    if (colon == std::string::npos ||
        std::from_chars(p.cursor.data() + colon + 1, p.cursor.data() + p.cursor.size(), rev).ec != std::errc())
      return errors::invalid_next_token();
    after = state::FamilyCursor{p.cursor.substr(0, colon), rev};
  }
  auto rows = TaskDefinitionStore(ctx.db, ctx.scope())
                  .list(status, json::get_string(in, "familyPrefix"), descending, after, p.limit + 1);
  Body b;
  b.w.StartObject();
  b.w.Key("taskDefinitionArns");
  b.w.StartArray();
  std::size_t n = std::min(rows.size(), static_cast<std::size_t>(p.limit));
  for (std::size_t i = 0; i < n; ++i) json::str(b.w, rows[i].arn);
  b.w.EndArray();
  if (rows.size() > n)
    json::kv(b.w, "nextToken", pagination::encode(rows[n - 1].family + ":" + std::to_string(rows[n - 1].revision)));
  b.w.EndObject();
  return b.done();
}

Outcome list_task_definition_families(OpContext& ctx, const json::Value& in) {
  auto page = page_of(in, 100, 100);
  if (auto* e = std::get_if<AwsError>(&page)) return *e;
  auto& p = std::get<Page>(page);
  auto families = TaskDefinitionStore(ctx.db, ctx.scope())
                      .families(json::get_string(in, "status").value_or("ALL"), json::get_string(in, "familyPrefix"),
                                p.cursor, p.limit + 1);
  Body b;
  b.w.StartObject();
  b.w.Key("families");
  b.w.StartArray();
  std::size_t n = std::min(families.size(), static_cast<std::size_t>(p.limit));
  for (std::size_t i = 0; i < n; ++i) json::str(b.w, families[i]);
  b.w.EndArray();
  if (families.size() > n) json::kv(b.w, "nextToken", pagination::encode(families[n - 1]));
  b.w.EndObject();
  return b.done();
}

Outcome deregister_task_definition(OpContext& ctx, const json::Value& in) {
  std::string_view id = json::view(in["taskDefinition"]);
  if (auto bad = revision_error(id)) return *bad;
  auto ref = task_definition_ref(ctx, id);
  if (ref && !ref->revision) return errors::client("Revision is missing.");
  auto found = find(ctx, id);
  if (std::holds_alternative<AwsError>(found))
    return errors::client("The specified task definition does not exist. Specify a valid account, family, revision and try again.");
  auto row = std::get<TaskDefinitionRow>(std::move(found));
  if (row.status == "ACTIVE") {
    row.status = "INACTIVE";
    row.deregistered_at = ctx.clock.now_millis();
    TaskDefinitionStore(ctx.db, ctx.scope()).set_status(row.family, row.revision, row.status, *row.deregistered_at);
  }
  return reply_with_task_definition(row, nullptr);
}

Outcome delete_task_definitions(OpContext& ctx, const json::Value& in) {
  const json::Value& ids = in["taskDefinitions"];
  if (ids.Size() == 0) return errors::invalid_parameter("The taskDefinitions list must contain at least one task definition.");
  if (ids.Size() > 10) return errors::invalid_parameter("The taskDefinitions list can contain at most 10 task definitions.");
  TaskDefinitionStore store(ctx.db, ctx.scope());
  std::vector<TaskDefinitionRow> deleted;
  struct Failure {
    std::string arn, reason;
  };
  std::vector<Failure> failures;
  for (const auto& v : ids.GetArray()) {
    std::string id(json::view(v));
    auto ref = task_definition_ref(ctx, id);
    std::string arn = id.starts_with("arn:") ? id : arns::ecs(ctx.region, ctx.account, "task-definition/" + id);
    if (!ref || !ref->revision) {
      failures.push_back({arn, "The specified task definition identifier is invalid. Specify a valid name or ARN and try again."});
      continue;
    }
    auto row = store.get(ref->family, *ref->revision);
    if (!row) {
      failures.push_back({arn, "The specified task definition does not exist. Specify a valid account, family, revision and try again."});
      continue;
    }
    if (row->status == "ACTIVE") {
      failures.push_back({row->arn, "The specified task definition is still in ACTIVE status. Please deregister the target and try again."});
      continue;
    }
    if (row->status == "INACTIVE") {
      row->status = "DELETE_IN_PROGRESS";
      row->deleted_at = ctx.clock.now_millis();
      store.set_status(row->family, row->revision, row->status, *row->deleted_at);
    }
    deleted.push_back(std::move(*row));
  }
  Body b;
  b.w.StartObject();
  b.w.Key("taskDefinitions");
  b.w.StartArray();
  for (const auto& row : deleted) write_task_definition(b.w, row);
  b.w.EndArray();
  b.w.Key("failures");
  b.w.StartArray();
  for (const auto& f : failures) write_failure(b.w, f.arn, f.reason);
  b.w.EndArray();
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_task_definitions(OperationTable& t) {
  t.add("ecs", "RegisterTaskDefinition", register_task_definition, Access::Write);
  t.add("ecs", "DescribeTaskDefinition", describe_task_definition, Access::Read);
  t.add("ecs", "ListTaskDefinitions", list_task_definitions, Access::Read);
  t.add("ecs", "ListTaskDefinitionFamilies", list_task_definition_families, Access::Read);
  t.add("ecs", "DeregisterTaskDefinition", deregister_task_definition, Access::Write);
  t.add("ecs", "DeleteTaskDefinitions", delete_task_definitions, Access::Write);
}

}  // namespace berth::api::ecs
