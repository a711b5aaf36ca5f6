#pragma once
// One task as the engine works on it during a pass: its row, its task definition and its run
// document (RunTask's overrides and what the engine noted, such as its pause container), plus
// the questions the engine asks of them. save() writes only real changes, since every write
// bumps the task's version as in ECS.
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "common/clock.h"
#include "runtime/docker_client.h"
#include "state/db.h"
#include "state/ecs_task_store.h"

namespace berth::runtime {

enum class Dependency { Ready, Wait, Broken };

// Thrown by TaskWork::save when another writer (StopTask, the service scheduler) changed the
// task since this pass read it: the pass ends and the engine redoes it on a fresh read.
struct TaskMoved : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class TaskWork {
 public:
  // Loads the task; found() is false when it is gone.
  TaskWork(state::Database& db, const Clock& clock, const std::string& arn);
  bool found() const { return found_; }

  state::TaskRow task;
  rapidjson::Document definition;  // the task definition; not an object when it is gone
  rapidjson::Document doc;         // the task's own document
  // Fetched in this pass for the containers still to be created; never stored, being secrets.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> secret_env;  // by container
  std::map<std::string, std::string> registry_auth;  // X-Registry-Auth JSON by container

  // Called after save() committed a change someone watching tasks cares about: the task's
  // lastStatus, its stop, a container's status or health.
  std::function<void()> on_notable_change;

  std::int64_t now() const { return clock_.now_millis(); }
  // Writes real changes, compare-and-set on the version read; throws TaskMoved when the row moved.
  void save();
  // Sends the task toward STOPPED with ECS's stop code and reason (not yet saved).
  void fail(const std::string& code, const std::string& reason);
  // A string noted in the run document (pauseId, privateIp...), empty when absent.
  std::string note(const char* key) const;
  void set_note(const char* key, const std::string& value);

  std::string id() const;           // the task id, the ARN's last part
  std::string network_mode() const;  // awsvpc, bridge, host or none
  // A string field of the task definition (pidMode, ipcMode...), empty when absent.
  std::string definition_text(const char* key) const;
  const rapidjson::Value* container_definition(const std::string& name) const;
  const rapidjson::Value* container_override(const std::string& name) const;
  std::string log_config(const std::string& name) const;  // JSON text, empty when none
  int stop_timeout(const std::string& name) const;        // seconds
  // Whether a container's dependsOn conditions (START, COMPLETE, SUCCESS, HEALTHY) hold.
  Dependency dependencies(const state::TaskContainerRow& c) const;
  // Docker names must be unique: ecs-FAMILY-CONTAINER-TASKID as the ECS agent names them.
  std::string docker_name(const std::string& container) const;

 private:
  std::string fingerprint() const;
  std::string notable_fingerprint() const;  // the part on_notable_change watches

  state::Database& db_;
  const Clock& clock_;
  bool found_ = false;
  std::string saved_;
  std::string saved_notable_;
};

// The name a task's pause container takes when the task gets it (namespace_pool.h): found by it
// even when a crash came between taking the container and noting its id.
std::string pause_container_name(const std::string& family, const std::string& task_arn);

// The networkBindings JSON ECS reports for a container: the bindings of its own portMappings
// (all of them when `definition` is null).
std::string bindings_json(const std::vector<PortBinding>& bindings, const rapidjson::Value* definition);

}  // namespace berth::runtime
