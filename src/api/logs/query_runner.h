#pragma once
// Logs Insights queries in flight and done. StartQuery submits a query (Scheduled); one worker
// thread runs queries in turn (Running), reading the store through a pooled read connection and
// feeding events newest first to logs/insights_eval, then keeps the result (Complete, or
// Cancelled by StopQuery). Queries live in memory only: a restart or /_berth/reset forgets them
// (AWS keeps results for 7 days); the newest kMaxKept per berth are kept.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "logs/insights_eval.h"
#include "state/db.h"
#include "state/scope.h"

namespace berth::api::logs {

struct QueryGroup {
  std::int64_t id = 0;
  std::string name;
  std::int64_t start_ms = 0, end_ms = 0;  // the query's range, past the group's retention cutoff
};

struct QuerySpec {
  state::Scope scope;
  std::string id;
  std::string query_string;
  std::vector<QueryGroup> groups;
  std::size_t limit = 10'000;
  std::int64_t created = 0;
};

struct QuerySnapshot {
  QuerySpec spec;
  std::string status;  // Scheduled, Running, Complete, Failed, Cancelled
  berth::logs::insights::Result result;
  std::int64_t duration_ms = 0;
};

class QueryRunner {
 public:
  static constexpr std::size_t kMaxKept = 1'000;

  QueryRunner(state::Database& db, const Clock& clock);
  ~QueryRunner();  // stops the worker; a running query is abandoned
  QueryRunner(const QueryRunner&) = delete;
  QueryRunner& operator=(const QueryRunner&) = delete;

  void submit(QuerySpec spec, berth::logs::insights::Query query);
  std::optional<QuerySnapshot> get(const state::Scope& scope, const std::string& id) const;
  // Queries of the scope, newest first.
  std::vector<QuerySnapshot> list(const state::Scope& scope) const;
  // Cancels a Scheduled or Running query; false if it had finished. nullopt: no such query.
  std::optional<bool> stop(const state::Scope& scope, const std::string& id);
  // Forgets every query (POST /_berth/reset).
  void clear();

 private:
  struct Entry {
    QuerySpec spec;
    berth::logs::insights::Query query;
    std::string status = "Scheduled";
    berth::logs::insights::Result result;
    std::int64_t duration_ms = 0;
    std::atomic<bool> cancelled{false};
  };
  void loop();
  berth::logs::insights::Result run(const Entry& e);  // spec and query never change after submit
  std::shared_ptr<Entry> find(const state::Scope& scope, const std::string& id) const;

  state::Database& db_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Entry>> entries_;  // oldest first
  std::deque<std::shared_ptr<Entry>> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace berth::api::logs
