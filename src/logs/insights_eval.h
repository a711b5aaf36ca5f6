#pragma once
// Runs a parsed Logs Insights query over log events, as a pure function: events in, result
// rows out. Feed events newest first (Insights' default order when a query does not sort), then
// call finish(). Commands stream (fields, filter, parse, limit, dedup) or collect (stats,
// sort); a query ends by showing `display`'s fields, else those `fields` and `stats` made, else
// @timestamp and @message, plus @ptr unless it aggregated. Fields without a value are left out
// of a row, as GetQueryResults does.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "logs/insights_query.h"
#include "logs/insights_values.h"

namespace berth::logs::insights {

using ResultRow = std::vector<std::pair<std::string, std::string>>;

struct Result {
  std::vector<ResultRow> rows;
  std::int64_t records_matched = 0;  // events that passed every filter before the first stats
  std::int64_t records_scanned = 0;  // events fed
  std::int64_t bytes_scanned = 0;    // their message bytes
};

class Evaluator {
 public:
  // max_rows: StartQuery's limit, at most this many rows come out.
  Evaluator(const Query& query, std::size_t max_rows);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Feeds one event. Returns false once more events cannot change the result (a limit reached
  // by streaming commands alone): the caller may stop scanning.
  bool add(const Event& e);
  Result finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses and runs a query over a list of events (newest first): what tests use.
Result run(const Query& query, const std::vector<Event>& events, std::size_t max_rows = 10'000);

}  // namespace berth::logs::insights
