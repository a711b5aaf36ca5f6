#include "runtime/task_work.h"

#include <cstdlib>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/arn.h"
#include "common/json.h"
#include "state/ecs_task_definition_store.h"

namespace berth::runtime {
using json::member;
using rapidjson::Value;

TaskWork::TaskWork(state::Database& db, const Clock& clock, const std::string& arn) : db_(db), clock_(clock) {
  std::optional<state::TaskRow> row;
  db_.read([&](state::Connection& c) { row = state::TaskStore(c).get(arn); });
  if (!row) return;
  found_ = true;
  task = std::move(*row);
  saved_ = fingerprint();
  saved_notable_ = notable_fingerprint();
  doc.Parse(task.doc.c_str(), task.doc.size());
  auto parts = Arn::parse(task.task_definition_arn);
  std::string family_revision(parts ? parts->resource_id() : "");
  auto colon = family_revision.rfind(':');
  std::optional<state::TaskDefinitionRow> td;
  if (colon != std::string::npos)
    db_.read([&](state::Connection& c) {
      td = state::TaskDefinitionStore(c, {task.account, task.region})
               .get(family_revision.substr(0, colon), std::atol(family_revision.substr(colon + 1).c_str()));
    });
  if (td) definition.Parse(td->doc.c_str(), td->doc.size());
}

std::string TaskWork::fingerprint() const {
  const auto& t = task;
  std::string f = t.desired_status + "|" + t.last_status + "|" + t.doc + "|" + t.stop_code.value_or("") + "|" +
                  std::to_string(t.started_at.value_or(0)) + std::to_string(t.pull_stopped_at.value_or(0)) +
                  std::to_string(t.stopped_at.value_or(0));
  for (const auto& c : t.containers)
    f += "|" + c.last_status + c.docker_id.value_or("") + std::to_string(c.exit_code.value_or(-1000)) +
         c.network_bindings.value_or("") + c.health_status.value_or("") + c.reason.value_or("") +
         c.image_digest.value_or("");
  return f;
}

std::string TaskWork::notable_fingerprint() const {
  const auto& t = task;
  std::string f = t.desired_status + "|" + t.last_status + "|" + t.stop_code.value_or("");
  for (const auto& c : t.containers) f += "|" + c.last_status + "/" + c.health_status.value_or("");
  return f;
}

void TaskWork::save() {
  std::string now_print = fingerprint();
  if (now_print == saved_) return;
  bool saved = false;
  db_.write([&](state::Connection& c) {
    saved = state::TaskStore(c).update(task);
    return saved;
  });
  if (!saved) throw TaskMoved("task " + task.arn + " changed during the pass");
  ++task.version;
  saved_ = std::move(now_print);
  std::string notable = notable_fingerprint();
  if (notable == saved_notable_) return;
  saved_notable_ = std::move(notable);
  if (on_notable_change) on_notable_change();  // committed, outside the transaction
}

void TaskWork::fail(const std::string& code, const std::string& reason) {
  task.desired_status = "STOPPED";
  task.stop_code = code;
  task.stopped_reason = reason;
  if (!task.stopping_at) task.stopping_at = now();
}

std::string TaskWork::note(const char* key) const {
  const Value* v = member(doc, key);
  return v && v->IsString() ? v->GetString() : "";
}

void TaskWork::set_note(const char* key, const std::string& value) {
  if (!doc.IsObject()) doc.SetObject();
  auto& a = doc.GetAllocator();
  doc.RemoveMember(key);
  doc.AddMember(Value(key, a), Value(value.c_str(), a), a);
  task.doc = json::dump(doc);
}

std::string TaskWork::id() const { return task.arn.substr(task.arn.rfind('/') + 1); }

std::string TaskWork::definition_text(const char* key) const {
  const Value* v = member(definition, key);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

std::string TaskWork::network_mode() const {
  std::string mode = definition_text("networkMode");
  return mode.empty() ? "bridge" : mode;
}

const Value* TaskWork::container_definition(const std::string& name) const {
  const Value* list = member(definition, "containerDefinitions");
  if (!list) return nullptr;
  for (const auto& d : list->GetArray())
    if (const Value* n = member(d, "name"); n && name == n->GetString()) return &d;
  return nullptr;
}

const Value* TaskWork::container_override(const std::string& name) const {
  const Value* o = member(doc, "overrides");
  const Value* list = o ? member(*o, "containerOverrides") : nullptr;
  if (!list) return nullptr;
  for (const auto& e : list->GetArray())
    if (const Value* n = member(e, "name"); n && name == n->GetString()) return &e;
  return nullptr;
}

std::string TaskWork::log_config(const std::string& name) const {
  const Value* def = container_definition(name);
  const Value* lc = def ? member(*def, "logConfiguration") : nullptr;
  return lc ? json::dump(*lc) : std::string();
}

int TaskWork::stop_timeout(const std::string& name) const {
  const Value* def = container_definition(name);
  const Value* t = def ? member(*def, "stopTimeout") : nullptr;
  return t && t->IsInt() ? t->GetInt() : 30;  // ECS's default
}

Dependency TaskWork::dependencies(const state::TaskContainerRow& c) const {
  const Value* def = container_definition(c.name);
  const Value* deps = def ? member(*def, "dependsOn") : nullptr;
  if (!deps) return Dependency::Ready;
  for (const auto& d : deps->GetArray()) {
    const Value* name = member(d, "containerName");
    const Value* cond = member(d, "condition");
    if (!name || !cond) continue;
    const state::TaskContainerRow* dep = nullptr;
    for (const auto& other : task.containers)
      if (other.name == name->GetString()) dep = &other;
    if (!dep) return Dependency::Broken;
    std::string_view condition = cond->GetString();
    bool stopped = dep->last_status == "STOPPED";
    if (condition == "START") {
      if (dep->last_status == "PENDING") return Dependency::Wait;
    } else if (condition == "COMPLETE") {
      if (!stopped) return Dependency::Wait;
    } else if (condition == "SUCCESS") {
      if (!stopped) return Dependency::Wait;
      if (dep->exit_code.value_or(-1) != 0) return Dependency::Broken;
    } else if (condition == "HEALTHY") {
      if (stopped) return Dependency::Broken;
      if (dep->health_status != std::optional<std::string>("HEALTHY")) return Dependency::Wait;
    }
  }
  return Dependency::Ready;
}

std::string TaskWork::docker_name(const std::string& container) const {
  return "ecs-" + task.family + "-" + container + "-" + id();
}

std::string pause_container_name(const std::string& family, const std::string& task_arn) {
  return "ecs-" + family + "-internalecspause-" + task_arn.substr(task_arn.rfind('/') + 1);
}

std::string bindings_json(const std::vector<PortBinding>& bindings, const Value* def) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartArray();
  const Value* mappings = def ? member(*def, "portMappings") : nullptr;
  for (const auto& p : bindings) {
    if (!p.host_port) continue;
    bool mine = !def;
    if (mappings)
      for (const auto& m : mappings->GetArray())
        if (const Value* cp = member(m, "containerPort"); cp && cp->GetInt() == p.container_port) mine = true;
    if (!mine) continue;
    w.StartObject();
    w.Key("bindIP");
    w.String(p.host_ip.empty() ? "127.0.0.1" : p.host_ip.c_str());
    w.Key("containerPort");
    w.Int(p.container_port);
    w.Key("hostPort");
    w.Int(p.host_port);
    w.Key("protocol");
    w.String(p.protocol.c_str());
    w.EndObject();
  }
  w.EndArray();
  return {b.GetString(), b.GetSize()};
}

}  // namespace berth::runtime
