#include "runtime/log_follower.h"

#include <rapidjson/document.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "logs/multiline.h"
#include "runtime/log_metric_filters.h"
#include "state/logs_store.h"

namespace berth::runtime {
namespace {
std::optional<std::string> option(const rapidjson::Value& options, const char* name) {
  auto it = options.FindMember(name);
  if (it == options.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string(it->value.GetString());
}

// Where a stream's stored events end: the last timestamp and how many events carry it.
struct ResumePoint {
  std::int64_t last_ms = -1;
  int at_last = 0;
};

ResumePoint resume_point(state::Database& db, const LogTarget& t) {
  ResumePoint p;
  db.read([&](state::Connection& c) {
    state::LogsStore store(c, t.scope);
    auto group = store.group(t.group);
    if (!group) return;
    auto stream = store.stream(group->id, t.stream);
    if (!stream || !stream->last_event) return;
    p.last_ms = *stream->last_event;
    store.read_stream(stream->id, p.last_ms, p.last_ms, true, p.last_ms - 1, INT64_MAX, 100000,
                      [&](const state::StoredEvent&) {
                        ++p.at_last;
                        return true;
                      });
  });
  return p;
}
}  // namespace

std::optional<LogTarget> awslogs_target(const std::string& log_configuration_json, const std::string& account,
                                        const std::string& task_region, const std::string& container,
                                        const std::string& task_id) {
  rapidjson::Document lc;
  lc.Parse(log_configuration_json.c_str(), log_configuration_json.size());
  if (!lc.IsObject() || !lc.HasMember("logDriver") || std::string_view(lc["logDriver"].GetString()) != "awslogs")
    return std::nullopt;
  static const rapidjson::Value empty(rapidjson::kObjectType);
  const rapidjson::Value& options = lc.HasMember("options") && lc["options"].IsObject() ? lc["options"] : empty;
  LogTarget t;
  t.scope = {account, option(options, "awslogs-region").value_or(task_region)};
  t.group = option(options, "awslogs-group").value_or("");
  auto prefix = option(options, "awslogs-stream-prefix");
  t.stream = prefix ? *prefix + "/" + container + "/" + task_id : task_id + "/" + container;
  t.create_group = option(options, "awslogs-create-group") == std::optional<std::string>("true");
  t.datetime_format = option(options, "awslogs-datetime-format");
  t.multiline_pattern = option(options, "awslogs-multiline-pattern");
  return t;
}

std::optional<std::string> prepare_log_stream(state::Database& db, const LogTarget& t, std::int64_t now) {
  std::optional<std::string> error;
  db.write([&](state::Connection& c) {
    state::LogsStore store(c, t.scope);
    auto group = store.group(t.group);
    if (!group) {
      if (!t.create_group) {
        error = "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: "
                "failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not "
                "exist. : exit status 1";
        return false;
      }
      state::LogGroupRow row;
      row.name = t.group;
      row.created_at = now;
      store.create_group(row);
      group = store.group(t.group);
    }
    if (!store.stream(group->id, t.stream)) {
      state::LogStreamRow s;
      s.group_id = group->id;
      s.name = t.stream;
      s.created_at = now;
      store.create_stream(s);
    }
    return true;
  });
  return error;
}

void LogFollower::follow(const std::string& container_id, const LogTarget& target) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  // Threads whose container has stopped are reaped here.
  for (auto it = follows_.begin(); it != follows_.end();) {
    if (*it->second.done && it->first != container_id) {
      it->second.thread.join();
      it = follows_.erase(it);
    } else {
      ++it;
    }
  }
  if (auto it = follows_.find(container_id); it != follows_.end()) {
    if (!*it->second.done) return;
    it->second.thread.join();
    follows_.erase(it);
  }
  auto done = std::make_shared<std::atomic<bool>>(false);
  Follow f;
  f.done = done;
  f.thread = std::thread([this, container_id, target, done] {
    try {
      run(container_id, target);
    } catch (const std::exception& e) {
      spdlog::error("following logs of {}: {}", container_id, e.what());
    }
    *done = true;
  });
  follows_.emplace(container_id, std::move(f));
}

void LogFollower::stop() {
  stopping_ = true;
  std::lock_guard lock(mu_);
  for (auto& [id, f] : follows_)
    if (f.thread.joinable()) f.thread.join();
  follows_.clear();
}

void LogFollower::run(std::string container_id, LogTarget target) {
  ResumePoint resume = resume_point(db_, target);
  std::optional<std::regex> start;
  if (target.multiline_pattern) start = logs::multiline_regex(*target.multiline_pattern);
  else if (target.datetime_format) start = logs::datetime_format_regex(*target.datetime_format);
  logs::MultilineJoiner joiner(std::move(start));
  std::vector<logs::LineEvent> batch;
  std::int64_t last_flush = clock_.now_millis();
  int skip = resume.at_last;

  auto flush = [&] {
    last_flush = clock_.now_millis();
    if (batch.empty()) return;
    std::stable_sort(batch.begin(), batch.end(), [](const auto& a, const auto& b) { return a.ts_ms < b.ts_ms; });
    db_.write([&](state::Connection& c) {
      state::LogsStore store(c, target.scope);
      auto group = store.group(target.group);
      if (!group) return false;  // deleted meanwhile: the lines have nowhere to go
      auto stream = store.stream(group->id, target.stream);
      if (!stream) {
        state::LogStreamRow s;
        s.group_id = group->id;
        s.name = target.stream;
        s.created_at = clock_.now_millis();
        store.create_stream(s);
        stream = store.stream(group->id, target.stream);
      }
      std::vector<state::EventToStore> events;
      events.reserve(batch.size());
      for (const auto& e : batch) events.push_back({e.ts_ms, e.text});
      store.append(*group, *stream, events, clock_.now_millis());
      publish_metric_filters(c, target.scope, *group, events, clock_.now_millis());
      return true;
    });
    batch.clear();
  };
  auto take = [&](std::optional<logs::LineEvent> e) {
    if (e) batch.push_back(std::move(*e));
  };

  std::int64_t since = resume.last_ms < 0 ? 0 : resume.last_ms * 1000000;
  docker_.follow_logs(
      container_id, since,
      [&](const LogLine& line) {
        std::int64_t ts = line.time_nanos / 1000000;
        // Lines already stored before a restart come again from `since`: skip exactly those.
        if (ts < resume.last_ms) return;
        if (ts == resume.last_ms && skip > 0) {
          --skip;
          return;
        }
        take(joiner.push({ts, line.text}));
        if (batch.size() >= 1000 || clock_.now_millis() - last_flush >= 100) flush();
      },
      [&] {
        // A joined event waits for its continuation lines, but not for ever.
        if (auto since_ms = joiner.pending_since(); since_ms && clock_.now_millis() - *since_ms >= 1000)
          take(joiner.take_pending());
        flush();
        return !stopping_.load();
      });
  take(joiner.take_pending());
  flush();
}

}  // namespace berth::runtime
