// CloudWatch Logs destinations, export tasks, GetLogRecord and query definitions through the
// dispatcher, each reply checked against the operation's model.
#include <doctest/doctest.h>

#include <zlib.h>

#include <filesystem>

#include "dispatch_harness.h"
#include "logs/insights_values.h"

using namespace berth;
namespace fs = std::filesystem;

namespace {
constexpr std::int64_t kStart = 1'700'000'000'000;

struct LogsHarness : berth::test::DispatchHarness {
  LogsHarness() : DispatchHarness("Logs_20140328", {"SerializationException", "ValidationException"}, kStart) {
    tolerated_shape_error = [](const std::string& m) {
      return m.find("at 'tags' failed to satisfy constraint: Member must have length greater") != std::string::npos;
    };
  }
  void group_with_events() {
    ok("CreateLogGroup", R"({"logGroupName":"/g"})");
    ok("CreateLogStream", R"({"logGroupName":"/g","logStreamName":"s/1"})");
    ok("PutLogEvents", R"({"logGroupName":"/g","logStreamName":"s/1","logEvents":[)"
                       R"({"timestamp":1700000000000,"message":"{\"a\":1}"},{"timestamp":1700000001000,"message":"two"}]})");
  }
};

std::string gunzip(const fs::path& p) {
  gzFile f = gzopen(p.c_str(), "rb");
  REQUIRE(f);
  std::string out;
  char buf[4096];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  gzclose(f);
  return out;
}
}  // namespace

TEST_CASE("logs destinations: put, policy, describe, delete") {
  LogsHarness h;
  auto d = h.ok("PutDestination", R"({"destinationName":"d","targetArn":"arn:aws:kinesis:us-east-1:000000000000:stream/s","roleArn":"arn:aws:iam::000000000000:role/r"})");
  CHECK(std::string(d.body["destination"]["arn"].GetString()) == "arn:aws:logs:us-east-1:000000000000:destination:d");
  CHECK(h.call("PutDestination", R"({"destinationName":"e","targetArn":"nope","roleArn":"r"})").code() ==
        "InvalidParameterException");
  h.ok("PutDestinationPolicy", R"({"destinationName":"d","accessPolicy":"{\"Statement\":[]}"})");
  auto all = h.ok("DescribeDestinations", "{}");
  REQUIRE(all.body["destinations"].Size() == 1);
  CHECK(std::string(all.body["destinations"][0]["accessPolicy"].GetString()) == R"({"Statement":[]})");
  h.ok("DeleteDestination", R"({"destinationName":"d"})");
  CHECK(h.call("DeleteDestination", R"({"destinationName":"d"})").code() == "ResourceNotFoundException");
}

TEST_CASE("logs export tasks: written under the data dir, then COMPLETED") {
  LogsHarness h;
  fs::path dir = fs::temp_directory_path() / ("berth-export-test-" + std::to_string(::getpid()));
  h.config.data_dir = dir.string();
  h.group_with_events();
  auto t = h.ok("CreateExportTask", R"({"logGroupName":"/g","from":1699999999000,"to":1700000005000,"destination":"bucket"})");
  std::string id = t.body["taskId"].GetString();
  auto tasks = h.ok("DescribeExportTasks", R"({"taskId":")" + id + "\"}");
  REQUIRE(tasks.body["exportTasks"].Size() == 1);
  CHECK(std::string(tasks.body["exportTasks"][0]["status"]["code"].GetString()) == "COMPLETED");
  CHECK(gunzip(dir / "exports" / "bucket" / "exportedlogs" / id / "s" / "1" / "000000.gz") ==
        "2023-11-14T22:13:20.000Z {\"a\":1}\n2023-11-14T22:13:21.000Z two\n");
  CHECK(h.call("CancelExportTask", R"({"taskId":")" + id + "\"}").code() == "InvalidOperationException");
  CHECK(h.call("CreateExportTask", R"({"logGroupName":"/g","from":5,"to":1,"destination":"bucket"})").code() ==
        "InvalidParameterException");
  CHECK(h.call("CreateExportTask", R"({"logGroupName":"/g","from":1,"to":5,"destination":"a/../b"})").code() ==
        "InvalidParameterException");
  fs::remove_all(dir);
}

TEST_CASE("logs GetLogRecord: an @ptr of the caller's account reads its event") {
  LogsHarness h;
  h.group_with_events();
  std::string ptr = berth::logs::insights::pointer(1, 1700000000000, 1);
  auto r = h.ok("GetLogRecord", R"({"logRecordPointer":")" + ptr + "\"}");
  CHECK(std::string(r.body["logRecord"]["@message"].GetString()) == R"({"a":1})");
  CHECK(std::string(r.body["logRecord"]["a"].GetString()) == "1");
  CHECK(std::string(r.body["logRecord"]["@logStream"].GetString()) == "s/1");
  std::string absent = berth::logs::insights::pointer(1, 1700000000000, 99);
  CHECK(h.call("GetLogRecord", R"({"logRecordPointer":")" + absent + "\"}").code() == "ResourceNotFoundException");
  CHECK(h.call("GetLogRecord", R"({"logRecordPointer":"x"})").code() == "InvalidParameterException");
}

TEST_CASE("logs query definitions: put, replace, describe, delete") {
  LogsHarness h;
  auto id = std::string(h.ok("PutQueryDefinition", R"({"name":"a","queryString":"fields @message"})").body["queryDefinitionId"].GetString());
  h.ok("PutQueryDefinition", R"({"name":"b","queryString":"fields @timestamp"})");
  h.ok("PutQueryDefinition", R"({"queryDefinitionId":")" + id + R"(","name":"a2","queryString":"limit 1"})");
  auto all = h.ok("DescribeQueryDefinitions", R"({"queryDefinitionNamePrefix":"a"})");
  REQUIRE(all.body["queryDefinitions"].Size() == 1);
  CHECK(std::string(all.body["queryDefinitions"][0]["queryString"].GetString()) == "limit 1");
  CHECK(h.ok("DeleteQueryDefinition", R"({"queryDefinitionId":")" + id + "\"}").body["success"].GetBool());
  CHECK(h.call("DeleteQueryDefinition", R"({"queryDefinitionId":")" + id + "\"}").code() == "ResourceNotFoundException");
}
