// The task metadata endpoint reads its token from a URL any container can send: the token must
// match one container exactly, and anything else is a 404, never another task and never a crash.
#include <doctest/doctest.h>

#include <filesystem>
#include <vector>

#include "api/metadata_path.h"
#include "api/metadata_routes.h"
#include "iam/credentials.h"
#include "common/clock.h"
#include "state/db.h"
#include "state/ecs_task_store.h"

using namespace berth;
namespace fs = std::filesystem;

namespace {
const char* kToken = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

struct NoAws final : api::RequestHandler {
  int calls = 0;
  std::unique_ptr<api::BodySink> sink_for(const api::HttpRequest&) override { return nullptr; }
  api::HttpResponse route(const api::HttpRequest&) override {
    ++calls;
    return {};
  }
};

struct MetadataFixture {
  fs::path dir;
  std::unique_ptr<state::Database> db;
  std::unique_ptr<runtime::DockerClient> docker = runtime::make_docker_client("/nonexistent/docker.sock");
  ManualClock clock{1'700'000'000'000};
  NoAws aws;
  iam::CredentialMinter minter{"metadata-test-secret"};
  std::unique_ptr<api::MetadataRoutes> routes;

  MetadataFixture() {
    std::string tmpl = (fs::temp_directory_path() / "berth-test-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    db = std::make_unique<state::Database>((dir / "berth.db").string());
    routes = std::make_unique<api::MetadataRoutes>(*db, *docker, clock, aws, minter);
    state::TaskRow t;
    t.arn = "arn:aws:ecs:us-east-1:000000000000:task/demo/abc";
    t.account = "000000000000";
    t.region = "us-east-1";
    t.cluster = "demo";
    t.task_definition_arn = "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1";
    t.family = "web";
    t.launch_type = "FARGATE";
    t.desired_status = "RUNNING";
    t.last_status = "RUNNING";
    t.doc = R"({"credentialsId":"c0ffee00-1111-4222-8333-444455556666"})";
    state::TaskContainerRow c;
    c.name = "app";
    c.container_arn = std::string("arn:aws:ecs:us-east-1:000000000000:container/demo/abc/") + kToken;
    c.image = "busybox";
    c.last_status = "RUNNING";
    t.containers.push_back(c);
    db->write([&](state::Connection& conn) {
      state::TaskStore(conn).insert(t);
      return true;
    });
  }
  ~MetadataFixture() {
    routes.reset();
    db.reset();
    fs::remove_all(dir);
  }
  api::HttpResponse get(const std::string& target) {
    api::HttpRequest req;
    req.method = "GET";
    req.target = target;
    return routes->route(req);
  }
};
}  // namespace

TEST_CASE("metadata paths: tokens are exact, wildcards and odd bytes name nothing") {
  using Kind = api::MetadataPath::Kind;
  CHECK(api::parse_metadata_path("GET", std::string("/v4/") + kToken).kind == Kind::Container);
  CHECK(api::parse_metadata_path("GET", std::string("/v3/") + kToken + "/task").kind == Kind::Task);
  CHECK(api::parse_metadata_path("GET", std::string("/v4/") + kToken + "/stats").kind == Kind::ContainerStats);
  CHECK(api::parse_metadata_path("GET", std::string("/v4/") + kToken + "/task/stats").kind == Kind::TaskStats);
  CHECK(api::parse_metadata_path("GET", "/v2/credentials/abc-1").kind == Kind::Credentials);
  for (const std::string& bad : std::vector<std::string>{"/v4/%", "/v4/%/task", "/v4/" + std::string(36, '_'), "/v4/", "/v4//task",
                          "/v4/" + std::string(65, 'a'), "/v4/\xc3\xa9t\xc3\xa9", "/v4/a b", "/v4/%25",
                          std::string("/v4/") + kToken + "/nope", "/v2/credentials/", "/v2/credentials/%"})
    CHECK_MESSAGE(api::parse_metadata_path("GET", bad).kind == Kind::NotFound, bad);
  CHECK(api::parse_metadata_path("POST", std::string("/v4/") + kToken).kind == Kind::Other);
  CHECK(api::parse_metadata_path("GET", "/").kind == Kind::Other);
}

TEST_CASE("the metadata endpoint answers its own container and 404s every other token") {
  MetadataFixture f;
  auto ok = f.get(std::string("/v4/") + kToken);
  CHECK(ok.status == 200);
  CHECK(ok.body.find("\"Name\":\"app\"") != std::string::npos);
  CHECK(f.get(std::string("/v4/") + kToken + "/task").status == 200);
  for (const std::string& bad : std::vector<std::string>{"/v4/%", "/v4/%/task", "/v4/" + std::string(36, '_'), "/v4/" + std::string(36, '_') + "/task",
                          "/v4/", "/v4/" + std::string(100000, 'a'), "/v4/\xff\xfe", "/v4/0f1e2d3c",
                          "/v4/" + std::string(kToken).substr(1), "/v2/credentials/%", "/v2/credentials/_"})
    CHECK_MESSAGE(f.get(bad).status == 404, bad.substr(0, 60));
  CHECK(f.aws.calls == 0);
  CHECK(f.get("/v2/credentials/c0ffee00-1111-4222-8333-444455556666").status == 200);
  CHECK(f.get("/_berth/reset").status == 404);
}
