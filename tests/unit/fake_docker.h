#pragma once
// An in-memory DockerClient for engine tests: containers with their state and labels (read from
// the create body), images, networks, volumes and events; configurable delays, failures and a
// name already taken (409). Thread-safe: the engine calls it from its workers and side jobs.
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/docker_client.h"

namespace berth::test {
using namespace berth::runtime;

class FakeDocker final : public DockerClient {
 public:
  struct Container {
    std::string id, name, image;
    std::string status = "created";  // created, running, exited
    std::optional<int> exit_code;
    std::optional<std::string> health;
    std::map<std::string, std::string> labels;
  };

  // Knobs, set before the engine runs.
  std::chrono::milliseconds stop_delay{0};   // each stop_container takes this long
  std::chrono::milliseconds pull_delay{0};   // each pull takes this long
  std::set<std::string> missing_images;      // pulls of these fail (404)
  std::set<std::string> present_images;      // inspect_image finds these without a pull
  std::map<std::string, std::string> stats;  // container_stats answers by id (else "{}"); set under no other call

  // What happened, for assertions.
  std::vector<std::string> calls;            // "create NAME", "start ID", "stop ID", "remove ID", "pull REF"

  std::string add_container(const std::string& name, std::map<std::string, std::string> labels,
                            const std::string& status = "running") {
    std::lock_guard lock(mu_);
    std::string id = "c" + std::to_string(++next_id_) + std::string(60, '0');
    containers_[id] = {id, name, "busybox", status, std::nullopt, std::nullopt, std::move(labels)};
    return id;
  }
  // The container exits with `code` (as `docker kill` or the process ending would).
  void exit(const std::string& id, int code) {
    std::lock_guard lock(mu_);
    containers_[id].status = "exited";
    containers_[id].exit_code = code;
  }
  std::optional<Container> by_name(const std::string& name) {
    std::lock_guard lock(mu_);
    for (auto& [id, c] : containers_)
      if (c.name == name) return c;
    return std::nullopt;
  }
  std::optional<Container> get(const std::string& id) {
    std::lock_guard lock(mu_);
    auto it = containers_.find(id);
    return it == containers_.end() ? std::nullopt : std::optional<Container>(it->second);
  }
  std::vector<Container> all() {
    std::lock_guard lock(mu_);
    std::vector<Container> out;
    for (auto& [id, c] : containers_) out.push_back(c);
    return out;
  }
  std::vector<std::string> log() {
    std::lock_guard lock(mu_);
    return calls;
  }
  std::set<std::string> volumes_removed;

  DockerResult<std::string> ping() override { return std::string("1.41"); }
  HostInfo host{2, 4LL << 30, "20.10.24", "linux", "x86_64"};
  DockerResult<HostInfo> info() override { return host; }
  DockerResult<Ok> pull_image(const std::string& reference, const std::string&) override {
    record("pull " + reference);
    std::this_thread::sleep_for(pull_delay);
    std::lock_guard lock(mu_);
    if (missing_images.count(reference)) return DockerError{404, "manifest for " + reference + " not found"};
    present_images.insert(reference);
    return Ok{};
  }
  DockerResult<Ok> import_image(const std::string&, const std::string& repo, const std::string& tag) override {
    std::lock_guard lock(mu_);
    present_images.insert(repo + ":" + tag);
    return Ok{};
  }
  DockerResult<std::string> inspect_image(const std::string& reference) override {
    std::lock_guard lock(mu_);
    if (present_images.count(reference)) return std::string("sha256:") + std::string(64, 'a');
    return DockerError{404, "No such image: " + reference};
  }
  DockerResult<std::string> create_container(const std::string& name, const std::string& body) override {
    record("create " + name);
    rapidjson::Document d;
    d.Parse(body.c_str(), body.size());
    std::map<std::string, std::string> labels;
    if (d.IsObject() && d.HasMember("Labels") && d["Labels"].IsObject())
      for (auto& m : d["Labels"].GetObject())
        if (m.value.IsString()) labels[m.name.GetString()] = m.value.GetString();
    std::lock_guard lock(mu_);
    for (auto& [id, c] : containers_)
      if (c.name == name) return DockerError{409, "Conflict. The container name \"/" + name + "\" is already in use"};
    std::string id = "c" + std::to_string(++next_id_) + std::string(60, '0');
    containers_[id] = {id, name, d.IsObject() && d.HasMember("Image") ? d["Image"].GetString() : "", "created",
                       std::nullopt, std::nullopt, std::move(labels)};
    return id;
  }
  DockerResult<Ok> start_container(const std::string& id) override {
    record("start " + id);
    std::lock_guard lock(mu_);
    auto* c = find(id);
    if (!c) return DockerError{404, "No such container: " + id};
    c->status = "running";
    c->exit_code.reset();
    return Ok{};
  }
  DockerResult<Ok> stop_container(const std::string& id, std::chrono::seconds) override {
    record("stop " + id);
    std::this_thread::sleep_for(stop_delay);
    std::lock_guard lock(mu_);
    auto* c = find(id);
    if (!c) return DockerError{404, "No such container: " + id};
    if (c->status == "running") {
      c->status = "exited";
      c->exit_code = 143;
    }
    return Ok{};
  }
  DockerResult<Ok> kill_container(const std::string& id, const std::string&) override {
    std::lock_guard lock(mu_);
    auto* c = find(id);
    if (!c) return DockerError{404, "No such container: " + id};
    c->status = "exited";
    c->exit_code = 137;
    return Ok{};
  }
  DockerResult<Ok> remove_container(const std::string& id, bool) override {
    record("remove " + id);
    std::lock_guard lock(mu_);
    auto* c = find(id);
    if (!c) return DockerError{404, "No such container: " + id};
    containers_.erase(c->id);
    return Ok{};
  }
  DockerResult<Ok> rename_container(const std::string& id, const std::string& name) override {
    std::lock_guard lock(mu_);
    auto* c = find(id);
    if (!c) return DockerError{404, "No such container: " + id};
    c->name = name;
    return Ok{};
  }
  DockerResult<ContainerInfo> inspect_container(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto* c = find(id);
    if (!c) return DockerError{404, "No such container: " + id};
    return info(*c);
  }
  DockerResult<std::vector<ContainerInfo>> list_containers(const std::vector<std::string>& wanted) override {
    std::lock_guard lock(mu_);
    std::vector<ContainerInfo> out;
    for (auto& [id, c] : containers_) {
      bool match = std::all_of(wanted.begin(), wanted.end(), [&](const std::string& l) {
        auto eq = l.find('=');
        auto it = c.labels.find(l.substr(0, eq));
        return it != c.labels.end() && (eq == std::string::npos || it->second == l.substr(eq + 1));
      });
      if (match) out.push_back(info(c));
    }
    return out;
  }
  DockerResult<std::string> ensure_network(const std::string& name, const std::string&, const std::string&) override {
    return "net-" + name;
  }
  DockerResult<Ok> remove_volumes(const std::string& prefix) override {
    std::lock_guard lock(mu_);
    volumes_removed.insert(prefix);
    return Ok{};
  }
  DockerResult<Ok> connect_network(const std::string&, const std::string&) override { return Ok{}; }
  DockerResult<std::string> container_stats(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = stats.find(id);
    return it == stats.end() ? std::string("{}") : it->second;
  }
  DockerResult<Ok> watch_events(const std::vector<std::string>&, const std::function<void(const DockerEvent&)>&,
                                const std::function<bool()>& keep_going) override {
    while (keep_going()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return Ok{};
  }
  DockerResult<Ok> follow_logs(const std::string&, std::int64_t, const std::function<void(const LogLine&)>&,
                               const std::function<bool()>&) override {
    return Ok{};
  }

 private:
  void record(std::string what) {
    std::lock_guard lock(mu_);
    calls.push_back(std::move(what));
  }
  Container* find(const std::string& id_or_name) {
    if (auto it = containers_.find(id_or_name); it != containers_.end()) return &it->second;
    for (auto& [id, c] : containers_)
      if (c.name == id_or_name) return &c;
    return nullptr;
  }
  static ContainerInfo info(const Container& c) {
    ContainerInfo i;
    i.id = c.id;
    i.name = c.name;
    i.image = c.image;
    i.status = c.status;
    i.running = c.status == "running";
    i.exit_code = c.exit_code;
    i.health = c.health;
    i.labels = c.labels;
    i.started_at = "2026-01-01T00:00:00Z";
    i.finished_at = "2026-01-01T00:00:01Z";
    return i;
  }
  std::mutex mu_;
  std::map<std::string, Container> containers_;
  int next_id_ = 0;
};

}  // namespace berth::test
