#include "api/metadata_routes.h"

#include <ctime>

#include "api/metadata_path.h"
#include "api/iam/roles.h"
#include "api/identity.h"
#include "common/arn.h"
#include "common/json.h"
#include "state/ecs_task_store.h"

namespace berth::api {
namespace {
HttpResponse json_reply(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse not_found(std::string_view what) {
  return json_reply(404, "{\"error\":\"" + std::string(what) + " not found\"}");
}

std::string rfc3339(std::int64_t millis) {
  std::time_t secs = millis / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(millis % 1000));
  return out;
}

void timestamp(json::Writer& w, const char* key, const std::optional<std::int64_t>& millis) {
  if (!millis) return;
  w.Key(key);
  json::str(w, rfc3339(*millis));
}

void write_container(json::Writer& w, const state::TaskRow& t, const state::TaskContainerRow& c,
                     const std::string& private_ip) {
  w.StartObject();
  json::kv(w, "DockerId", c.docker_id.value_or(""));
  json::kv(w, "Name", c.name);
  json::kv(w, "DockerName", "ecs-" + t.family + "-" + c.name + "-" + t.arn.substr(t.arn.rfind('/') + 1));
  json::kv(w, "Image", c.image);
  if (c.image_digest) json::kv(w, "ImageID", *c.image_digest);
  w.Key("Labels");
  w.StartObject();
  json::kv(w, "com.amazonaws.ecs.cluster", arns::cluster(t.region, t.account, t.cluster));
  json::kv(w, "com.amazonaws.ecs.container-name", c.name);
  json::kv(w, "com.amazonaws.ecs.task-arn", t.arn);
  json::kv(w, "com.amazonaws.ecs.task-definition-family", t.family);
  w.EndObject();
  json::kv(w, "DesiredStatus", t.desired_status == "STOPPED" ? "STOPPED" : "RUNNING");
  json::kv(w, "KnownStatus", c.last_status);
  if (c.exit_code) {
    w.Key("ExitCode");
    w.Int64(*c.exit_code);
  }
  json::kv(w, "Type", "NORMAL");
  json::kv(w, "ContainerARN", c.container_arn);
  w.Key("Networks");
  w.StartArray();
  w.StartObject();
  json::kv(w, "NetworkMode", "awsvpc");
  w.Key("IPv4Addresses");
  w.StartArray();
  if (!private_ip.empty()) json::str(w, private_ip);
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.EndObject();
}
}  // namespace

std::unique_ptr<BodySink> MetadataRoutes::sink_for(const HttpRequest& head) { return aws_.sink_for(head); }

HttpResponse MetadataRoutes::route(const HttpRequest& req) {
  std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
  auto asked = parse_metadata_path(req.method, path);
  switch (asked.kind) {
    case MetadataPath::Kind::Other: break;
    case MetadataPath::Kind::NotFound: return not_found("path");
    case MetadataPath::Kind::Credentials: return credentials(asked.token);
    default: return metadata(asked);
  }
  // Tasks reach the AWS APIs here, not berth's own controls (a task must not reset berth).
  if (path.starts_with("/_berth/")) return not_found("path");
  return aws_.route(req);
}

HttpResponse MetadataRoutes::metadata(const MetadataPath& asked) {
  using Kind = MetadataPath::Kind;
  std::optional<state::TaskRow> task;
  db_.read([&](state::Connection& c) { task = state::TaskStore(c).by_container_token(asked.token); });
  if (!task) return not_found("container");
  const state::TaskContainerRow* self = nullptr;
  for (const auto& c : task->containers)
    if (state::container_token(c.container_arn) == asked.token) self = &c;
  // The row matched, so one container carries the token; a task changed in between is a miss.
  if (!self) return not_found("container");
  rapidjson::Document doc;
  doc.Parse(task->doc.c_str(), task->doc.size());
  std::string ip(json::get_string(doc, "privateIp").value_or(""));

  if (asked.kind == Kind::ContainerStats || asked.kind == Kind::TaskStats) {
    bool one = asked.kind == Kind::ContainerStats;
    std::string body = "{";
    bool first = true;
    for (const auto& c : task->containers) {
      if (!c.docker_id || (one && &c != self)) continue;
      std::optional<std::string> cached = cached_stats ? cached_stats(*c.docker_id) : std::nullopt;
      auto stats = cached ? runtime::DockerResult<std::string>(std::move(*cached)) : docker_.container_stats(*c.docker_id);
      std::string json = std::holds_alternative<std::string>(stats) ? std::get<std::string>(stats) : "null";
      if (one) return json_reply(200, json);
      body += std::string(first ? "" : ",") + "\"" + *c.docker_id + "\":" + json;
      first = false;
    }
    return json_reply(200, one ? "{}" : body + "}");
  }

  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  if (asked.kind == Kind::Container) {
    write_container(w, *task, *self, ip);
  } else {
    w.StartObject();
    json::kv(w, "Cluster", arns::cluster(task->region, task->account, task->cluster));
    json::kv(w, "TaskARN", task->arn);
    json::kv(w, "Family", task->family);
    json::kv(w, "Revision", task->task_definition_arn.substr(task->task_definition_arn.rfind(':') + 1));
    json::kv(w, "DesiredStatus", task->desired_status);
    json::kv(w, "KnownStatus", task->last_status);
    w.Key("Limits");
    w.StartObject();
    if (auto cpu = json::get_string(doc, "cpu")) {
      w.Key("CPU");
      w.Double(std::atof(std::string(*cpu).c_str()) / 1024.0);
    }
    if (auto mem = json::get_string(doc, "memory")) {
      w.Key("Memory");
      w.Int64(std::atoll(std::string(*mem).c_str()));
    }
    w.EndObject();
    timestamp(w, "PullStartedAt", task->pull_started_at);
    timestamp(w, "PullStoppedAt", task->pull_stopped_at);
    json::kv(w, "AvailabilityZone", task->region + "a");
    json::kv(w, "LaunchType", task->launch_type);
    w.Key("Containers");
    w.StartArray();
    for (const auto& c : task->containers) write_container(w, *task, c, ip);
    w.EndArray();
    w.EndObject();
  }
  return json_reply(200, std::string(buf.GetString(), buf.GetSize()));
}

HttpResponse MetadataRoutes::credentials(std::string_view id) {
  // Task role credentials are STS session credentials minted for the task: the same key for
  // every fetch of one task (derived from its credentials id), each fetch moving the expiry on.
  constexpr std::int64_t kLifetimeMillis = 6 * 3600 * 1000;
  std::optional<state::TaskRow> task;
  std::string role_arn;
  MintedCredentials minted;
  db_.write([&](state::Connection& c) {
    task = state::TaskStore(c).by_credentials_id(id);
    if (!task || task->last_status == "STOPPED") return false;
    rapidjson::Document doc;
    doc.Parse(task->doc.c_str(), task->doc.size());
    role_arn = std::string(json::get_string(doc, "taskRoleArn").value_or(""));
    if (role_arn.empty()) return false;
    std::string task_id = task->arn.substr(task->arn.rfind('/') + 1);
    std::string key = minter_.access_key_for(id);
    auto parsed = Arn::parse(role_arn);
    std::string role_account = parsed ? parsed->account : task->account;
    auto role = state::IamStore(c, role_account).role_by_arn(role_arn);
    if (!role) iam::warn_if_missing(c, role_arn, "taskRoleArn");
    state::CredentialRow row;
    row.access_key_id = key;
    row.account = role_account;
    row.arn = assumed_role_arn(role_arn, task_id);
    // A role berth lacks still gets a stable role id, derived like the key.
    row.user_id = (role ? role->role_id : "AROA" + minter_.access_key_for("role:" + role_arn).substr(4) + "A") + ":" +
                  task_id;
    row.role_arn = role_arn;
    row.task_arn = task->arn;
    row.expires_at = clock_.now_millis() + kLifetimeMillis;
    minted = mint(c, minter_, row);
    return true;
  });
  if (!task || task->last_status == "STOPPED" || role_arn.empty()) return not_found("credentials");
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::kv(w, "RoleArn", role_arn);
  json::kv(w, "AccessKeyId", minted.access_key);
  json::kv(w, "SecretAccessKey", minted.secret);
  json::kv(w, "Token", minted.session_token);
  json::kv(w, "Expiration", rfc3339(minted.expires_at));
  w.EndObject();
  return json_reply(200, std::string(buf.GetString(), buf.GetSize()));
}

}  // namespace berth::api
