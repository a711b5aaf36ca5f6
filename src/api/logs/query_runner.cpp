#include "api/logs/query_runner.h"

#include <algorithm>
#include <unordered_map>

#include "state/logs_store.h"

namespace berth::api::logs {
namespace insights = berth::logs::insights;

namespace {
bool same(const state::Scope& a, const state::Scope& b) { return a.account == b.account && a.region == b.region; }

// An event read from one of several groups, owned until all groups have been read and merged.
struct OwnedEvent {
  std::int64_t ts, seq, ingested, group_id;
  const std::string* stream;
  const std::string* log;
  std::string message;
};
}  // namespace

QueryRunner::QueryRunner(state::Database& db, const Clock& clock) : db_(db), clock_(clock) {
  worker_ = std::thread([this] { loop(); });
}

QueryRunner::~QueryRunner() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& e : entries_) e->cancelled = true;
  }
  cv_.notify_all();
  worker_.join();
}

void QueryRunner::submit(QuerySpec spec, insights::Query query) {
  auto e = std::make_shared<Entry>();
  e->spec = std::move(spec);
  e->query = std::move(query);
  {
    std::lock_guard lock(mu_);
    entries_.push_back(e);
    if (entries_.size() > kMaxKept) {
      auto done = std::find_if(entries_.begin(), entries_.end(),
                               [](const auto& x) { return x->status != "Scheduled" && x->status != "Running"; });
      if (done != entries_.end()) entries_.erase(done);
    }
    queue_.push_back(e);
  }
  cv_.notify_all();
}

std::shared_ptr<QueryRunner::Entry> QueryRunner::find(const state::Scope& scope, const std::string& id) const {
  for (const auto& e : entries_)
    if (e->spec.id == id && same(e->spec.scope, scope)) return e;
  return nullptr;
}

std::optional<QuerySnapshot> QueryRunner::get(const state::Scope& scope, const std::string& id) const {
  std::lock_guard lock(mu_);
  auto e = find(scope, id);
  if (!e) return std::nullopt;
  return QuerySnapshot{e->spec, e->status, e->result, e->duration_ms};
}

std::vector<QuerySnapshot> QueryRunner::list(const state::Scope& scope) const {
  std::lock_guard lock(mu_);
  std::vector<QuerySnapshot> out;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (same((*it)->spec.scope, scope)) {
      // Descriptions carry no results: leave them out of the copy.
      out.push_back(QuerySnapshot{(*it)->spec, (*it)->status, {}, (*it)->duration_ms});
      out.back().result.records_scanned = (*it)->result.records_scanned;
      out.back().result.bytes_scanned = (*it)->result.bytes_scanned;
    }
  return out;
}

std::optional<bool> QueryRunner::stop(const state::Scope& scope, const std::string& id) {
  std::lock_guard lock(mu_);
  auto e = find(scope, id);
  if (!e) return std::nullopt;
  if (e->status != "Scheduled" && e->status != "Running") return false;
  e->cancelled = true;
  e->status = "Cancelled";
  return true;
}

void QueryRunner::clear() {
  std::lock_guard lock(mu_);
  for (auto& e : entries_) e->cancelled = true;
  entries_.clear();
  queue_.clear();
}

void QueryRunner::loop() {
  while (true) {
    std::shared_ptr<Entry> e;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      e = queue_.front();
      queue_.pop_front();
      if (e->cancelled) continue;
      e->status = "Running";
    }
    std::int64_t started = clock_.now_millis();
    std::string status = "Complete";
    insights::Result result;
    try {
      result = run(*e);
    } catch (const std::exception&) {
      status = "Failed";
    }
    std::lock_guard lock(mu_);
    if (e->cancelled) continue;  // StopQuery already recorded Cancelled
    e->status = status;
    e->result = std::move(result);
    e->duration_ms = clock_.now_millis() - started;
  }
}

// Feeds the groups' events to the evaluator newest first: one group straight from the store,
// several merged in memory. The cancelled flag is checked as events go by.
insights::Result QueryRunner::run(const Entry& e) {
  insights::Evaluator ev(e.query, e.spec.limit);
  std::int64_t seen = 0;
  auto go_on = [&] { return (++seen & 0xfff) != 0 || !e.cancelled; };
  db_.read([&](state::Connection& c) {
    state::LogsStore store(c, e.spec.scope);
    std::vector<std::unordered_map<std::int64_t, std::string>> streams(e.spec.groups.size());
    std::vector<std::string> logs(e.spec.groups.size());
    for (std::size_t i = 0; i < e.spec.groups.size(); ++i) {
      for (auto& s : store.list_streams(e.spec.groups[i].id, "")) streams[i].emplace(s.id, std::move(s.name));
      logs[i] = e.spec.scope.account + ":" + e.spec.groups[i].name;
    }
    static const std::string none;
    auto stream_of = [&](std::size_t i, std::int64_t id) -> const std::string& {
      auto it = streams[i].find(id);
      return it == streams[i].end() ? none : it->second;
    };
    if (e.spec.groups.size() == 1) {
      const QueryGroup& g = e.spec.groups[0];
      store.scan_newest_first(g.id, g.start_ms, g.end_ms, [&](const state::StoredEvent& s) {
        insights::Event ev_in{s.ts, s.ingested, s.message, stream_of(0, s.stream_id), logs[0], g.id, s.seq};
        return ev.add(ev_in) && go_on();
      });
      return;
    }
    std::vector<OwnedEvent> all;
    for (std::size_t i = 0; i < e.spec.groups.size(); ++i) {
      const QueryGroup& g = e.spec.groups[i];
      store.scan_newest_first(g.id, g.start_ms, g.end_ms, [&](const state::StoredEvent& s) {
        all.push_back({s.ts, s.seq, s.ingested, g.id, &stream_of(i, s.stream_id), &logs[i], std::string(s.message)});
        return go_on();
      });
    }
    std::stable_sort(all.begin(), all.end(), [](const OwnedEvent& a, const OwnedEvent& b) { return a.ts > b.ts; });
    for (const auto& o : all) {
      insights::Event ev_in{o.ts, o.ingested, o.message, *o.stream, *o.log, o.group_id, o.seq};
      if (!ev.add(ev_in) || !go_on()) break;
    }
  });
  return ev.finish();
}

}  // namespace berth::api::logs
