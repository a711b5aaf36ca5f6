#include <doctest/doctest.h>

#include <filesystem>

#include "state/db.h"
#include "temp_dir.h"
#include "state/ecs_cluster_store.h"
#include "state/ecs_task_definition_store.h"
#include "state/tags_store.h"

using namespace berth::state;
namespace fs = std::filesystem;

namespace {
using berth::testing::TempDb;
const Scope kScope{"000000000000", "us-east-1"};
}  // namespace

TEST_CASE("migrations bring a new database to the latest schema") {
  TempDb t;
  CHECK(t.db->schema_version() == latest_schema_version());
}

TEST_CASE("a write that returns false or throws changes nothing") {
  TempDb t;
  t.db->write([](Connection& c) {
    ClusterStore(c, kScope).put({"a", "arn:a", "ACTIVE", 1, "{}"});
    return false;
  });
  CHECK_THROWS(t.db->write([](Connection& c) -> bool {
    ClusterStore(c, kScope).put({"b", "arn:b", "ACTIVE", 1, "{}"});
    throw std::runtime_error("boom");
  }));
  t.db->read([](Connection& c) {
    CHECK_FALSE(ClusterStore(c, kScope).get("a"));
    CHECK_FALSE(ClusterStore(c, kScope).get("b"));
  });
}

TEST_CASE("committed writes are seen by readers and survive reopening") {
  TempDb t;
  t.db->write([](Connection& c) {
    ClusterStore(c, kScope).put({"demo", "arn:demo", "ACTIVE", 5, R"({"x":1})"});
    TagsStore(c).put("arn:demo", {{"k1", "v1"}, {"k2", "v2"}});
    return true;
  });
  t.db->read([](Connection& c) { CHECK(ClusterStore(c, kScope).get("demo")->doc == R"({"x":1})"); });
  auto path = t.db->path();
  t.db.reset();
  t.db = std::make_unique<Database>(path);
  t.db->read([](Connection& c) {
    CHECK(ClusterStore(c, kScope).get("demo")->created_at == 5);
    auto tags = TagsStore(c).list("arn:demo");
    REQUIRE(tags.size() == 2);
    CHECK(tags[0].first == "k1");
  });
}

TEST_CASE("state is partitioned by account and region") {
  TempDb t;
  t.db->write([](Connection& c) {
    ClusterStore(c, kScope).put({"demo", "arn:demo", "ACTIVE", 1, "{}"});
    return true;
  });
  t.db->read([](Connection& c) {
    CHECK_FALSE(ClusterStore(c, {"000000000000", "eu-west-1"}).get("demo"));
    CHECK_FALSE(ClusterStore(c, {"111111111111", "us-east-1"}).get("demo"));
  });
}

TEST_CASE("task definition revisions count up and pages are keyset-ordered") {
  TempDb t;
  t.db->write([](Connection& c) {
    TaskDefinitionStore s(c, kScope);
    for (const char* fam : {"b", "a", "b", "a", "a"}) {
      auto rev = s.next_revision(fam);
      s.insert({fam, rev, std::string(fam) + ":" + std::to_string(rev), "ACTIVE", 1, {}, {}, "{}"});
    }
    return true;
  });
  t.db->read([](Connection& c) {
    TaskDefinitionStore s(c, kScope);
    auto all = s.list("ACTIVE", std::nullopt, false, std::nullopt, 100);
    std::vector<std::string> arns;
    for (auto& r : all) arns.push_back(r.arn);
    CHECK(arns == std::vector<std::string>{"a:1", "a:2", "a:3", "b:1", "b:2"});
    auto next = s.list("ACTIVE", std::nullopt, false, FamilyCursor{"a", 3}, 100);
    CHECK(next.front().arn == "b:1");
    auto desc = s.list("ACTIVE", std::string_view("a"), true, FamilyCursor{"a", 3}, 1);
    REQUIRE(desc.size() == 1);
    CHECK(desc.front().arn == "a:2");
    CHECK(s.latest_active("a")->revision == 3);
  });
}

TEST_CASE("wipe empties every table and keeps the schema") {
  TempDb t;
  t.db->write([](Connection& c) {
    ClusterStore(c, kScope).put({"demo", "arn:demo", "ACTIVE", 1, "{}"});
    TaskDefinitionStore(c, kScope).next_revision("x");
    return true;
  });
  t.db->wipe();
  t.db->read([](Connection& c) { CHECK_FALSE(ClusterStore(c, kScope).get("demo")); });
  t.db->write([](Connection& c) {
    CHECK(TaskDefinitionStore(c, kScope).next_revision("x") == 1);
    return true;
  });
  CHECK(t.db->schema_version() == latest_schema_version());
}
