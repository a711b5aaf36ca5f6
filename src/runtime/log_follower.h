#pragma once
// The awslogs driver: follows a container's stdout and stderr through the Docker API and
// appends each line, with Docker's timestamp, to a CloudWatch Logs stream, as ECS's awslogs
// driver does. After a restart it resumes from what the stream already holds, so no line is
// lost or stored twice.
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/clock.h"
#include "runtime/docker_client.h"
#include "state/db.h"
#include "state/scope.h"

namespace berth::runtime {

struct LogTarget {
  state::Scope scope;  // the account, and the region of awslogs-region
  std::string group;
  std::string stream;
  bool create_group = false;
  std::optional<std::string> datetime_format;
  std::optional<std::string> multiline_pattern;
};

// The awslogs target of a container definition's logConfiguration, or nullopt when it does
// not use awslogs. Stream: PREFIX/CONTAINER-NAME/TASK-ID (without a prefix: TASK-ID/CONTAINER).
std::optional<LogTarget> awslogs_target(const std::string& log_configuration_json, const std::string& account,
                                        const std::string& task_region, const std::string& container,
                                        const std::string& task_id);

// Makes sure the group (created when allowed) and the stream exist; the error ECS reports
// otherwise.
std::optional<std::string> prepare_log_stream(state::Database& db, const LogTarget& target, std::int64_t now);

class LogFollower {
 public:
  LogFollower(state::Database& db, DockerClient& docker, const Clock& clock) : db_(db), docker_(docker), clock_(clock) {}
  ~LogFollower() { stop(); }

  // Follows the container into the target unless it is followed already.
  void follow(const std::string& container_id, const LogTarget& target);
  void stop();

 private:
  void run(std::string container_id, LogTarget target);

  state::Database& db_;
  DockerClient& docker_;
  const Clock& clock_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  struct Follow {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::map<std::string, Follow> follows_;
};

}  // namespace berth::runtime
