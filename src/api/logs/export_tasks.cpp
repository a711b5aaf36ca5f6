// CreateExportTask, DescribeExportTasks, CancelExportTask. berth serves no S3, so an export is
// written under the data directory instead, in the layout S3 would hold:
//   DATA/exports/BUCKET/PREFIX/TASK_ID/STREAM/000000.gz
// (PREFIX defaults to `exportedlogs`), each line `2026-11-30T02:59:06.000Z message`, as AWS
// writes them. The task is recorded PENDING in the call's transaction; the export itself runs
// once that has committed (reading on a pooled reader, not holding the writer) and the task
// ends COMPLETED, or FAILED with the reason, before the call answers.
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>

#include "api/logs/errors.h"
#include "api/pagination.h"
#include "api/logs/registration.h"
#include "api/services.h"
#include "common/ids.h"
#include "state/log_documents_store.h"
#include "state/logs_store.h"

namespace berth::api::logs {
namespace {
namespace fs = std::filesystem;
using state::LogDocumentsStore;

constexpr const char* kExport = "export-task";
constexpr int kDefaultDescribeLimit = 50;

// An S3 bucket name as S3 allows it: 3-63 of [a-z0-9.-], starting and ending alphanumeric.
bool bucket_name(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(b.front()) || !alnum(b.back())) return false;
  return std::all_of(b.begin(), b.end(), [&](char c) { return alnum(c) || c == '.' || c == '-'; });
}

// A key prefix or stream name as path segments under the export directory: never `.`, `..`
// or empty, so nothing lands outside it.
fs::path safe_segments(std::string_view key) {
  fs::path out;
  std::size_t at = 0;
  while (at <= key.size()) {
    std::size_t slash = key.find('/', at);
    std::string part(key.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at));
    if (part.empty() || part == "." || part == "..") part = "_";
    out /= part;
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  return out;
}

std::string iso_millis(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // room for any int the compiler cannot bound
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string task_doc(const json::Value& in, const std::string& id, const std::string& prefix, std::string_view code,
                     std::string_view message, std::int64_t created, std::optional<std::int64_t> completed) {
  Body b;
  b.w.StartObject();
  json::kv(b.w, "taskId", id);
  if (auto n = json::get_string(in, "taskName")) json::kv(b.w, "taskName", *n);
  json::kv(b.w, "logGroupName", json::view(in["logGroupName"]));
  b.w.Key("from");
  b.w.Int64(in["from"].GetInt64());
  b.w.Key("to");
  b.w.Int64(in["to"].GetInt64());
  json::kv(b.w, "destination", json::view(in["destination"]));
  json::kv(b.w, "destinationPrefix", prefix);
  b.w.Key("status");
  b.w.StartObject();
  json::kv(b.w, "code", code);
  json::kv(b.w, "message", message);
  b.w.EndObject();
  b.w.Key("executionInfo");
  b.w.StartObject();
  b.w.Key("creationTime");
  b.w.Int64(created);
  if (completed) {
    b.w.Key("completionTime");
    b.w.Int64(*completed);
  }
  b.w.EndObject();
  b.w.EndObject();
  return b.done().take_body();
}

struct ExportJob {
  state::Scope scope;
  std::int64_t group_id;
  std::int64_t from, to;
  std::string stream_prefix;
  fs::path dir;
};

// Writes the events; the error text when it could not.
std::optional<std::string> run_export(state::Database& db, const ExportJob& job) {
  std::optional<std::string> problem;
  db.read([&](state::Connection& c) {
    state::LogsStore store(c, job.scope);
    std::map<std::int64_t, std::string> names;
    state::GroupScan scan;
    scan.start = job.from;
    scan.end = job.to;
    scan.stream_ids.emplace();
    for (const auto& s : store.list_streams(job.group_id, job.stream_prefix)) {
      names[s.id] = s.name;
      scan.stream_ids->push_back(s.id);
    }
    std::map<std::int64_t, gzFile> files;
    store.scan_group(job.group_id, scan, [&](const state::StoredEvent& e) {
      auto it = files.find(e.stream_id);
      if (it == files.end()) {
        fs::path dir = job.dir / safe_segments(names[e.stream_id]);
        std::error_code ec;
        fs::create_directories(dir, ec);
        gzFile f = ec ? nullptr : gzopen((dir / "000000.gz").c_str(), "wb");
        if (!f) {
          problem = "cannot write " + dir.string();
          return false;
        }
        it = files.emplace(e.stream_id, f).first;
      }
      std::string line = iso_millis(e.ts) + " " + std::string(e.message) + "\n";
      if (gzwrite(it->second, line.data(), static_cast<unsigned>(line.size())) != static_cast<int>(line.size())) {
        problem = "write failed under " + job.dir.string();
        return false;
      }
      return true;
    });
    for (auto& [id, f] : files)
      if (gzclose(f) != Z_OK && !problem) problem = "write failed under " + job.dir.string();
    std::error_code ec;
    fs::create_directories(job.dir, ec);  // an export of no events still leaves its directory
  });
  return problem;
}

Outcome create_export_task(OpContext& ctx, const json::Value& in) {
  state::LogsStore logs(ctx.db, ctx.scope());
  auto group = logs.group(json::view(in["logGroupName"]));
  if (!group) return errors::group_not_found();
  std::int64_t from = in["from"].GetInt64(), to = in["to"].GetInt64();
  if (from >= to)
    return errors::invalid_parameter("Specified time range of '" + std::to_string(from) + "' and '" +
                                     std::to_string(to) + "' is not valid. Please make sure the values are within "
                                     "the retention period of the log group and from value is less than the to value");
  std::string_view bucket = json::view(in["destination"]);
  if (!bucket_name(bucket))
    return errors::invalid_parameter("The given bucket name '" + std::string(bucket) + "' is not valid.");
  std::string prefix(json::get_string(in, "destinationPrefix").value_or("exportedlogs"));
  if (prefix.empty()) prefix = "exportedlogs";
  std::string id = ids::uuid_v4();
  std::int64_t now = ctx.clock.now_millis();
  LogDocumentsStore(ctx.db, ctx.scope()).put(kExport, id, task_doc(in, id, prefix, "PENDING", "Pending.", now, {}), now);

  fs::path data = ctx.config.data_dir.empty() ? fs::path(Config::default_data_dir()) : fs::path(ctx.config.data_dir);
  ExportJob job{ctx.scope(), group->id, from, to, std::string(json::get_string(in, "logStreamNamePrefix").value_or("")),
                data / "exports" / std::string(bucket) / safe_segments(prefix) / id};
  std::string request = json::dump(in);
  const Clock* clock = &ctx.clock;
  ctx.after_commit.push_back([job, request, id, prefix, now, clock](state::Database& db) {
    auto problem = run_export(db, job);
    rapidjson::Document req;
    req.Parse(request.c_str());
    db.write([&](state::Connection& c) {
      LogDocumentsStore store(c, job.scope);
      auto row = store.get(kExport, id);
      if (!row || row->doc.find("\"CANCELLED\"") != std::string::npos) return false;
      std::string message = problem ? "berth could not write the export: " + *problem
                                    : "Completed successfully (written to " + job.dir.string() + ")";
      store.put(kExport, id,
                task_doc(req, id, prefix, problem ? "FAILED" : "COMPLETED", message, now, clock->now_millis()),
                clock->now_millis());
      return true;
    });
  });
  Body b;
  b.w.StartObject();
  json::kv(b.w, "taskId", id);
  b.w.EndObject();
  return b.done();
}

Outcome describe_export_tasks(OpContext& ctx, const json::Value& in) {
  LogDocumentsStore store(ctx.db, ctx.scope());
  std::vector<state::LogDocumentRow> rows;
  if (auto id = json::get_string(in, "taskId")) {
    if (auto row = store.get(kExport, *id)) rows.push_back(std::move(*row));
  } else {
    rows = store.all(kExport);
  }
  auto code = json::get_string(in, "statusCode");
  std::vector<rapidjson::Document> docs;
  std::vector<std::string> keys;
  for (const auto& r : rows) {
    rapidjson::Document d;
    d.Parse(r.doc.c_str());
    if (code && json::view(d["status"]["code"]) != *code) continue;
    docs.push_back(std::move(d));
    keys.push_back(r.key);
  }
  std::size_t start = 0;
  if (auto t = json::get_string(in, "nextToken")) {
    auto cursor = pagination::decode(*t);
    if (!cursor) return errors::invalid_next_token();
    while (start < keys.size() && keys[start] <= *cursor) ++start;
  }
  auto limit = static_cast<std::size_t>(json::get_int(in, "limit").value_or(kDefaultDescribeLimit));
  std::size_t end = std::min(docs.size(), start + limit);
  Body b;
  b.w.StartObject();
  b.w.Key("exportTasks");
  b.w.StartArray();
  for (std::size_t i = start; i < end; ++i) docs[i].Accept(b.w);
  b.w.EndArray();
  if (end < docs.size()) json::kv(b.w, "nextToken", pagination::encode(keys[end - 1]));
  b.w.EndObject();
  return b.done();
}

Outcome cancel_export_task(OpContext& ctx, const json::Value& in) {
  std::string id(json::view(in["taskId"]));
  LogDocumentsStore store(ctx.db, ctx.scope());
  auto row = store.get(kExport, id);
  if (!row) return AwsError::client("ResourceNotFoundException", "The specified export task does not exist.");
  rapidjson::Document d;
  d.Parse(row->doc.c_str());
  std::string_view code = json::view(d["status"]["code"]);
  if (code != "PENDING" && code != "RUNNING")
    return AwsError::client("InvalidOperationException", "The specified export task has already finished");
  auto& a = d.GetAllocator();
  d["status"]["code"].SetString("CANCELLED", a);
  d["status"]["message"].SetString("Cancelled by user", a);
  store.put(kExport, id, json::dump(d), ctx.clock.now_millis());
  return Outcome::ok("{}");
}
}  // namespace

void register_export_tasks(OperationTable& t) {
  t.add("logs", "CreateExportTask", create_export_task, Access::Write);
  t.add("logs", "DescribeExportTasks", describe_export_tasks, Access::Read);
  t.add("logs", "CancelExportTask", cancel_export_task, Access::Write);
}

}  // namespace berth::api::logs
