// Logs Insights: StartQuery, GetQueryResults, StopQuery, DescribeQueries. The language is
// logs/insights_*; queries run on the QueryRunner's thread (api/logs/query_runner.h).
#include <algorithm>

#include "api/logs/errors.h"
#include "api/logs/identifiers.h"
#include "api/logs/query_runner.h"
#include "api/pagination.h"
#include "api/services.h"
#include "common/ids.h"
#include "logs/insights_query.h"
#include "state/logs_store.h"

namespace berth::api::logs {
namespace {
namespace insights = berth::logs::insights;

constexpr std::size_t kDefaultRows = 10'000;
constexpr int kDefaultDescribe = 1'000;
constexpr std::size_t kMaxGroups = 50;

QueryRunner* runner(OpContext& ctx) { return ctx.services.log_queries; }

AwsError no_runner() {
  return AwsError::server("ServiceUnavailableException", "Logs Insights queries are not running in this berth.");
}

// The group names a StartQuery names, in order, without repeats.
std::variant<std::vector<std::string>, AwsError> named_groups(OpContext& ctx, const json::Value& in) {
  std::vector<std::string> names;
  int ways = 0;
  if (auto n = json::get_string(in, "logGroupName")) {
    ++ways;
    names.emplace_back(*n);
  }
  for (const char* member : {"logGroupNames", "logGroupIdentifiers"})
    if (const json::Value* list = json::member(in, member)) {
      ++ways;
      for (const auto& v : list->GetArray()) {
        std::string_view text = json::view(v);
        if (text.starts_with("arn:")) {
          auto name = group_name_of_arn(ctx, text);
          if (!name) return errors::group_not_found();
          names.push_back(*name);
        } else {
          names.emplace_back(text);
        }
      }
    }
  if (ways == 0)
    return errors::invalid_parameter("Either logGroupName, logGroupNames or logGroupIdentifiers must be specified.");
  if (ways > 1)
    return errors::invalid_parameter(
        "Only one of logGroupName, logGroupNames or logGroupIdentifiers may be specified.");
  std::vector<std::string> unique;
  for (auto& n : names)
    if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(std::move(n));
  if (unique.empty()) return errors::invalid_parameter("At least one log group must be specified.");
  if (unique.size() > kMaxGroups)
    return AwsError::client("LimitExceededException", "A query can search at most 50 log groups.");
  return unique;
}

Outcome start_query(OpContext& ctx, const json::Value& in) {
  if (!runner(ctx)) return no_runner();
  if (auto lang = json::get_string(in, "queryLanguage"); lang && *lang != "CWLI")
    return errors::invalid_parameter("berth runs only Logs Insights QL (CWLI) queries, not " + std::string(*lang) + ".");
  std::int64_t start = in["startTime"].GetInt64(), end = in["endTime"].GetInt64();
  if (end < start) return errors::invalid_parameter("End time should not be before the start time.");

  auto names = named_groups(ctx, in);
  if (auto* e = std::get_if<AwsError>(&names)) return *e;
  insights::ParseError perr;
  auto query = insights::parse(json::view(in["queryString"]), perr);
  if (!query) return AwsError::client("MalformedQueryException", perr.message);

  QuerySpec spec;
  spec.scope = ctx.scope();
  spec.id = ids::uuid_v4();
  spec.query_string = std::string(json::view(in["queryString"]));
  spec.limit = static_cast<std::size_t>(json::get_int(in, "limit").value_or(kDefaultRows));
  spec.created = ctx.clock.now_millis();
  state::LogsStore store(ctx.db, ctx.scope());
  for (const auto& name : std::get<std::vector<std::string>>(names)) {
    auto row = store.group(name);
    if (!row)
      return AwsError::client("ResourceNotFoundException",
                              "Log group '" + name + "' does not exist for account ID '" + ctx.account + "'");
    // startTime and endTime are epoch seconds; both ends are included.
    spec.groups.push_back({row->id, row->name, std::max(start * 1000, cutoff_of(ctx, *row)), end * 1000 + 999});
  }
  std::string id = spec.id;
  runner(ctx)->submit(std::move(spec), std::move(*query));
  Body b;
  b.w.StartObject();
  json::kv(b.w, "queryId", id);
  b.w.EndObject();
  return b.done();
}

AwsError query_not_found() {
  return AwsError::client("ResourceNotFoundException", "The specified query does not exist.");
}

Outcome get_query_results(OpContext& ctx, const json::Value& in) {
  if (!runner(ctx)) return no_runner();
  auto q = runner(ctx)->get(ctx.scope(), std::string(json::view(in["queryId"])));
  if (!q) return query_not_found();
  std::size_t offset = 0;
  if (auto t = json::get_string(in, "nextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor || cursor->empty() || cursor->find_first_not_of("0123456789") != std::string::npos)
      return errors::invalid_next_token();
    offset = std::stoul(*cursor);
  }
  std::size_t max_items = static_cast<std::size_t>(json::get_int(in, "maxItems").value_or(0));
  const auto& rows = q->result.rows;
  std::size_t end = max_items ? std::min(rows.size(), offset + max_items) : rows.size();

  Body b;
  b.w.StartObject();
  json::kv(b.w, "queryLanguage", "CWLI");
  b.w.Key("results");
  b.w.StartArray();
  for (std::size_t i = offset; i < end; ++i) {
    b.w.StartArray();
    for (const auto& [field, value] : rows[i]) {
      b.w.StartObject();
      json::kv(b.w, "field", field);
      json::kv(b.w, "value", value);
      b.w.EndObject();
    }
    b.w.EndArray();
  }
  b.w.EndArray();
  b.w.Key("statistics");
  b.w.StartObject();
  b.w.Key("recordsMatched");
  b.w.Double(static_cast<double>(q->result.records_matched));
  b.w.Key("recordsScanned");
  b.w.Double(static_cast<double>(q->result.records_scanned));
  b.w.Key("estimatedRecordsSkipped");
  b.w.Double(0);
  b.w.Key("bytesScanned");
  b.w.Double(static_cast<double>(q->result.bytes_scanned));
  b.w.Key("estimatedBytesSkipped");
  b.w.Double(0);
  b.w.Key("logGroupsScanned");
  b.w.Double(static_cast<double>(q->spec.groups.size()));
  b.w.EndObject();
  json::kv(b.w, "status", q->status);
  if (end < rows.size()) json::kv(b.w, "nextToken", pagination::encode(std::to_string(end)));
  b.w.EndObject();
  return b.done();
}

Outcome stop_query(OpContext& ctx, const json::Value& in) {
  if (!runner(ctx)) return no_runner();
  auto stopped = runner(ctx)->stop(ctx.scope(), std::string(json::view(in["queryId"])));
  if (!stopped) return query_not_found();
  Body b;
  b.w.StartObject();
  b.w.Key("success");
  b.w.Bool(*stopped);
  b.w.EndObject();
  return b.done();
}

Outcome describe_queries(OpContext& ctx, const json::Value& in) {
  if (!runner(ctx)) return no_runner();
  if (auto lang = json::get_string(in, "queryLanguage"); lang && *lang != "CWLI") {
    return Outcome::ok(R"({"queries":[]})");
  }
  auto group = json::get_string(in, "logGroupName");
  if (group && !state::LogsStore(ctx.db, ctx.scope()).group(*group)) return errors::group_not_found();
  auto status = json::get_string(in, "status");
  int limit = static_cast<int>(json::get_int(in, "maxResults").value_or(kDefaultDescribe));
  std::size_t offset = 0;
  if (auto t = json::get_string(in, "nextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor || cursor->empty() || cursor->find_first_not_of("0123456789") != std::string::npos)
      return errors::invalid_next_token();
    offset = std::stoul(*cursor);
  }
  std::vector<QuerySnapshot> picked;
  for (auto& q : runner(ctx)->list(ctx.scope())) {
    if (status && q.status != *status) continue;
    if (group && std::none_of(q.spec.groups.begin(), q.spec.groups.end(),
                              [&](const QueryGroup& g) { return g.name == *group; }))
      continue;
    picked.push_back(std::move(q));
  }
  std::size_t end = std::min(picked.size(), offset + static_cast<std::size_t>(limit));
  Body b;
  b.w.StartObject();
  b.w.Key("queries");
  b.w.StartArray();
  for (std::size_t i = offset; i < end; ++i) {
    const auto& q = picked[i];
    b.w.StartObject();
    json::kv(b.w, "queryLanguage", "CWLI");
    json::kv(b.w, "queryId", q.spec.id);
    json::kv(b.w, "queryString", q.spec.query_string);
    json::kv(b.w, "status", q.status);
    b.w.Key("createTime");
    b.w.Int64(q.spec.created);
    json::kv(b.w, "logGroupName", q.spec.groups.front().name);
    b.w.Key("queryDuration");
    b.w.Int64(q.duration_ms);
    b.w.Key("bytesScanned");
    b.w.Double(static_cast<double>(q.result.bytes_scanned));
    b.w.EndObject();
  }
  b.w.EndArray();
  if (end < picked.size()) json::kv(b.w, "nextToken", pagination::encode(std::to_string(end)));
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_queries(OperationTable& t) {
  t.add("logs", "StartQuery", start_query, Access::Read);
  t.add("logs", "GetQueryResults", get_query_results, Access::Read);
  t.add("logs", "StopQuery", stop_query, Access::Read);
  t.add("logs", "DescribeQueries", describe_queries, Access::Read);
}

}  // namespace berth::api::logs
