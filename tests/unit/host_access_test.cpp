// FARGATE tasks never reach the host; EC2 tasks only with --allow-host-access.
#include <doctest/doctest.h>

#include "ecs/host_access.h"

using berth::ecs::fargate_refusal;
using berth::ecs::host_access_refusal;

namespace {
rapidjson::Document parse(const char* text) {
  rapidjson::Document d;
  d.Parse(text);
  REQUIRE_FALSE(d.HasParseError());
  return d;
}
}  // namespace

TEST_CASE("a plain Fargate task definition passes; each host-reaching field is refused") {
  auto plain = parse(R"({"networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"x",
      "linuxParameters":{"capabilities":{"add":["SYS_PTRACE"],"drop":["ALL"]}}}],"volumes":[{"name":"scratch","host":{}}]})");
  CHECK_FALSE(fargate_refusal(plain));
  CHECK(host_access_refusal(plain, "EC2", false));  // any added capability is host access on EC2
  CHECK_FALSE(host_access_refusal(plain, "FARGATE", false));

  struct Case {
    const char* td;
    const char* says;
  } cases[] = {
      {R"({"networkMode":"host","containerDefinitions":[{"name":"a"}]})", "network mode"},
      {R"({"networkMode":"awsvpc","pidMode":"host","containerDefinitions":[{"name":"a"}]})", "pidMode 'host'"},
      {R"({"networkMode":"awsvpc","ipcMode":"host","containerDefinitions":[{"name":"a"}]})", "ipcMode"},
      {R"({"networkMode":"awsvpc","containerDefinitions":[{"name":"a","privileged":true}]})", "privileged"},
      {R"({"networkMode":"awsvpc","volumes":[{"name":"v","host":{"sourcePath":"/"}}],"containerDefinitions":[{"name":"a"}]})", "sourcePath"},
      {R"({"networkMode":"awsvpc","volumes":[{"name":"v","dockerVolumeConfiguration":{"driver":"local"}}],"containerDefinitions":[{"name":"a"}]})", "dockerVolumeConfiguration"},
      {R"({"networkMode":"awsvpc","containerDefinitions":[{"name":"a","linuxParameters":{"devices":[{"hostPath":"/dev/sda"}]}}]})", "devices"},
      {R"({"networkMode":"awsvpc","containerDefinitions":[{"name":"a","linuxParameters":{"capabilities":{"add":["SYS_ADMIN"]}}}]})", "SYS_PTRACE"},
      {R"({"networkMode":"awsvpc","containerDefinitions":[{"name":"a","dockerSecurityOptions":["apparmor:unconfined"]}]})", "dockerSecurityOptions"},
      {R"({"networkMode":"awsvpc","containerDefinitions":[{"name":"a","links":["b"]}]})", "links"},
      {R"({"networkMode":"awsvpc","containerDefinitions":[{"name":"a","linuxParameters":{"tmpfs":[]}}]})", "tmpfs"},
      {R"({"networkMode":"awsvpc","containerDefinitions":[{"name":"a","resourceRequirements":[{"type":"GPU","value":"1"}]}]})", "GPU"},
  };
  for (const auto& c : cases) {
    auto td = parse(c.td);
    auto refusal = fargate_refusal(td);
    REQUIRE_MESSAGE(refusal, c.td);
    CHECK_MESSAGE(refusal->find(c.says) != std::string::npos, *refusal);
    auto at_run = host_access_refusal(td, "FARGATE", true);  // --allow-host-access never opens Fargate
    CHECK(at_run == refusal);
  }
}

TEST_CASE("EC2 and EXTERNAL tasks reach the host only with --allow-host-access") {
  const char* reaching[] = {
      R"({"networkMode":"host","containerDefinitions":[{"name":"a"}]})",
      R"({"pidMode":"host","containerDefinitions":[{"name":"a"}]})",
      R"({"containerDefinitions":[{"name":"a","privileged":true}]})",
      R"({"volumes":[{"name":"v","host":{"sourcePath":"/var/run/docker.sock"}}],"containerDefinitions":[{"name":"a"}]})",
      R"({"volumes":[{"name":"v","dockerVolumeConfiguration":{"driverOpts":{"type":"none","o":"bind","device":"/"}}}],"containerDefinitions":[{"name":"a"}]})",
      R"({"containerDefinitions":[{"name":"a","linuxParameters":{"devices":[{"hostPath":"/dev/mem"}]}}]})",
      R"({"containerDefinitions":[{"name":"a","linuxParameters":{"capabilities":{"add":["SYS_ADMIN"]}}}]})",
      R"({"containerDefinitions":[{"name":"a","dockerSecurityOptions":["seccomp:unconfined"]}]})",
  };
  for (const char* text : reaching) {
    auto td = parse(text);
    for (const char* launch : {"EC2", "EXTERNAL"}) {
      auto refusal = host_access_refusal(td, launch, false);
      REQUIRE_MESSAGE(refusal, text);
      CHECK(refusal->find("--allow-host-access") != std::string::npos);
      CHECK_FALSE(host_access_refusal(td, launch, true));
    }
  }
  auto bridge = parse(R"({"networkMode":"bridge","volumes":[{"name":"v","host":{}},{"name":"w",
      "dockerVolumeConfiguration":{"scope":"task","driver":"local"}}],"containerDefinitions":[{"name":"a",
      "privileged":false,"linuxParameters":{"capabilities":{"drop":["NET_RAW"]},"initProcessEnabled":true}}]})");
  CHECK_FALSE(host_access_refusal(bridge, "EC2", false));
}

TEST_CASE("malformed documents are not host access and do not crash") {
  for (const char* text : {"{}", "[]", "1", R"({"containerDefinitions":7})", R"({"containerDefinitions":[1,"x",null]})",
                           R"({"volumes":[{"host":"x"}],"containerDefinitions":[{"linuxParameters":[]}]})"}) {
    auto td = parse(text);
    CHECK_FALSE(host_access_refusal(td, "EC2", false));
    (void)fargate_refusal(td);
  }
}
