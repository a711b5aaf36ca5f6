// Container definitions as Docker create requests: the HostConfig (and NetworkingConfig) a
// definition's fields become, per network mode, and which fields berth reports it cannot honour.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/container_spec.h"

namespace rt = berth::runtime;

namespace {
constexpr long long kMiB = 1024 * 1024;

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

rt::TaskContext task_in(const std::string& mode) {
  rt::TaskContext t;
  t.cluster = "default";
  t.task_arn = "arn:aws:ecs:us-east-1:000000000000:task/default/abc";
  t.family = "fam";
  t.revision = 1;
  t.network_mode = mode;
  t.network = "berth-tasks";
  t.namespace_owner_id = "pause-id";
  return t;
}

// The create body for one container definition (JSON text of its fields besides name/image).
rapidjson::Document body(const std::string& fields, const rt::TaskContext& task) {
  auto def = parse(R"({"name":"app","image":"img")" + (fields.empty() ? "" : "," + fields) + "}");
  return parse(rt::container_create_body(def, nullptr, "img", task));
}

std::vector<std::string> unsupported(const std::string& fields, const rt::TaskContext& task,
                                     const std::string& override_text = "") {
  auto def = parse(R"({"name":"app","image":"img",)" + fields + "}");
  if (override_text.empty()) return rt::unsupported_fields(def, nullptr, task);
  auto ovr = parse(override_text);
  return rt::unsupported_fields(def, &ovr, task);
}

bool has(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::vector<std::string> strings(const rapidjson::Value& list) {
  std::vector<std::string> out;
  for (const auto& s : list.GetArray()) out.emplace_back(s.GetString());
  return out;
}
}  // namespace

TEST_CASE("shared memory, tmpfs mounts and capabilities become host settings") {
  auto b = body(R"("memory":256,"linuxParameters":{"sharedMemorySize":128,
      "tmpfs":[{"containerPath":"/scratch","size":64,"mountOptions":["noexec","nosuid"]},
               {"containerPath":"/plain","size":8}],
      "capabilities":{"add":["SYS_PTRACE"],"drop":["NET_RAW","MKNOD"]}})",
                task_in("bridge"));
  const auto& hc = b["HostConfig"];
  CHECK(hc["ShmSize"].GetInt64() == 128 * kMiB);
  CHECK(std::string(hc["Tmpfs"]["/scratch"].GetString()) == "size=64m,noexec,nosuid");
  CHECK(std::string(hc["Tmpfs"]["/plain"].GetString()) == "size=8m");
  CHECK(strings(hc["CapAdd"]) == std::vector<std::string>{"SYS_PTRACE"});
  CHECK(strings(hc["CapDrop"]) == std::vector<std::string>{"NET_RAW", "MKNOD"});
  CHECK_FALSE(hc.HasMember("MemorySwap"));  // no maxSwap: the host's swap settings
  CHECK_FALSE(hc.HasMember("MemorySwappiness"));
}

TEST_CASE("devices carry their paths and rwm permissions, all three when none are named") {
  auto b = body(R"("memory":64,"linuxParameters":{"devices":[
      {"hostPath":"/dev/fuse","containerPath":"/dev/fuse","permissions":["mknod","read"]},
      {"hostPath":"/dev/null","containerPath":"/dev/other","permissions":["write"]},
      {"hostPath":"/dev/zero"}]})",
                task_in("bridge"));
  const auto& devs = b["HostConfig"]["Devices"];
  REQUIRE(devs.Size() == 3);
  CHECK(std::string(devs[0]["PathOnHost"].GetString()) == "/dev/fuse");
  CHECK(std::string(devs[0]["CgroupPermissions"].GetString()) == "rm");
  CHECK(std::string(devs[1]["PathInContainer"].GetString()) == "/dev/other");
  CHECK(std::string(devs[1]["CgroupPermissions"].GetString()) == "w");
  CHECK(std::string(devs[2]["PathInContainer"].GetString()) == "/dev/zero");
  CHECK(std::string(devs[2]["CgroupPermissions"].GetString()) == "rwm");
}

TEST_CASE("maxSwap is swap on top of the memory limit; swappiness only counts with maxSwap") {
  SUBCASE("the container's memory plus maxSwap, with its swappiness") {
    auto hc = body(R"("memory":256,"linuxParameters":{"maxSwap":512,"swappiness":10})", task_in("bridge"));
    CHECK(hc["HostConfig"]["Memory"].GetInt64() == 256 * kMiB);
    CHECK(hc["HostConfig"]["MemorySwap"].GetInt64() == 768 * kMiB);
    CHECK(hc["HostConfig"]["MemorySwappiness"].GetInt64() == 10);
  }
  SUBCASE("maxSwap 0 means no swap: MemorySwap equals Memory; swappiness defaults to 60") {
    auto hc = body(R"("memory":256,"linuxParameters":{"maxSwap":0})", task_in("bridge"));
    CHECK(hc["HostConfig"]["MemorySwap"].GetInt64() == hc["HostConfig"]["Memory"].GetInt64());
    CHECK(hc["HostConfig"]["MemorySwappiness"].GetInt64() == 60);
  }
  SUBCASE("the task's memory is the limit when the container has none") {
    auto task = task_in("awsvpc");
    task.task_memory = 1024;
    auto hc = body(R"("linuxParameters":{"maxSwap":100})", task);
    CHECK(hc["HostConfig"]["MemorySwap"].GetInt64() == 1124 * kMiB);
    CHECK(rt::unsupported_fields(parse(R"({"name":"a","linuxParameters":{"maxSwap":100}})"), nullptr, task).empty());
  }
  SUBCASE("an override's memory is the limit") {
    auto def = parse(R"({"name":"app","image":"img","memory":100,"linuxParameters":{"maxSwap":50}})");
    auto ovr = parse(R"({"name":"app","memory":300})");
    auto hc = parse(rt::container_create_body(def, &ovr, "img", task_in("bridge")));
    CHECK(hc["HostConfig"]["MemorySwap"].GetInt64() == 350 * kMiB);
  }
  SUBCASE("without any memory limit Docker cannot count swap: no MemorySwap, and berth says so") {
    auto hc = body(R"("memoryReservation":64,"linuxParameters":{"maxSwap":100,"swappiness":0})", task_in("bridge"));
    CHECK_FALSE(hc["HostConfig"].HasMember("Memory"));
    CHECK_FALSE(hc["HostConfig"].HasMember("MemorySwap"));  // Docker refuses MemorySwap without Memory
    CHECK(hc["HostConfig"]["MemorySwappiness"].GetInt64() == 0);
    CHECK(unsupported(R"("memoryReservation":64,"linuxParameters":{"maxSwap":100})", task_in("bridge")) ==
          std::vector<std::string>{"linuxParameters.maxSwap"});
    CHECK(unsupported(R"("linuxParameters":{"maxSwap":100})", task_in("bridge"), R"({"name":"app","memory":128})").empty());
  }
  SUBCASE("swappiness alone is ignored, as ECS does") {
    auto hc = body(R"("memory":256,"linuxParameters":{"swappiness":10})", task_in("bridge"));
    CHECK_FALSE(hc["HostConfig"].HasMember("MemorySwappiness"));
    CHECK_FALSE(hc["HostConfig"].HasMember("MemorySwap"));
  }
}

TEST_CASE("docker security options pass through, except Windows credential specs") {
  auto b = body(R"("memory":64,"dockerSecurityOptions":["no-new-privileges","apparmor:unconfined",
      "credentialspec:file://gmsa.json"])",
                task_in("awsvpc"));
  CHECK(strings(b["HostConfig"]["SecurityOpt"]) == std::vector<std::string>{"no-new-privileges", "apparmor:unconfined"});
  auto ignored = unsupported(R"("dockerSecurityOptions":["no-new-privileges","credentialspec:file://gmsa.json"])",
                             task_in("awsvpc"));
  CHECK(ignored == std::vector<std::string>{"dockerSecurityOptions credentialspec"});
  CHECK(unsupported(R"("dockerSecurityOptions":["no-new-privileges"])", task_in("awsvpc")).empty());
}

TEST_CASE("links name the linked container's Docker name on the task network, in bridge mode only") {
  auto task = task_in("bridge");
  task.container_names = {{"db", "ecs-fam-db-abc"}, {"cache", "ecs-fam-cache-abc"}};
  auto b = body(R"("memory":64,"links":["db:database","cache"])", task);
  REQUIRE(b.HasMember("NetworkingConfig"));
  const auto& links = b["NetworkingConfig"]["EndpointsConfig"]["berth-tasks"]["Links"];
  // Without an alias the container is reached by its ECS name, as in ECS.
  CHECK(strings(links) == std::vector<std::string>{"ecs-fam-db-abc:database", "ecs-fam-cache-abc:cache"});
  CHECK_FALSE(b["HostConfig"].HasMember("Links"));  // Docker ignores those on a user-defined network
  CHECK(unsupported(R"("links":["db:database","cache"])", task).empty());

  SUBCASE("a container whose Docker name is unknown is left out, and reported") {
    auto b2 = body(R"("memory":64,"links":["db","ghost:g"])", task);
    CHECK(strings(b2["NetworkingConfig"]["EndpointsConfig"]["berth-tasks"]["Links"]) ==
          std::vector<std::string>{"ecs-fam-db-abc:db"});
    CHECK(unsupported(R"("links":["db","ghost:g"])", task) == std::vector<std::string>{"links"});
    CHECK(has(rt::unsupported_fields(parse(R"({"name":"a","links":["db"]})")), "links"));  // no names given
  }
  SUBCASE("host mode: Docker refuses links") {
    auto host = task;
    host.network_mode = "host";
    CHECK_FALSE(body(R"("memory":64,"links":["db"])", host).HasMember("NetworkingConfig"));
    CHECK(unsupported(R"("links":["db"])", host) == std::vector<std::string>{"links"});
  }
}

TEST_CASE("awsvpc containers get no hostname, DNS or hosts entries; bridge containers do") {
  const std::string fields = R"("memory":64,"hostname":"h1","dnsServers":["10.0.0.2"],"dnsSearchDomains":["corp"],
      "extraHosts":[{"hostname":"db","ipAddress":"10.0.0.9"}])";
  auto bridge = body(fields, task_in("bridge"));
  CHECK(std::string(bridge["Hostname"].GetString()) == "h1");
  CHECK(strings(bridge["HostConfig"]["Dns"]) == std::vector<std::string>{"10.0.0.2"});
  CHECK(strings(bridge["HostConfig"]["DnsSearch"]) == std::vector<std::string>{"corp"});
  CHECK(strings(bridge["HostConfig"]["ExtraHosts"]) == std::vector<std::string>{"db:10.0.0.9"});

  auto awsvpc = body(fields, task_in("awsvpc"));
  CHECK(std::string(awsvpc["HostConfig"]["NetworkMode"].GetString()) == "container:pause-id");
  for (const char* key : {"Dns", "DnsSearch", "ExtraHosts"}) CHECK_FALSE(awsvpc["HostConfig"].HasMember(key));
  CHECK_FALSE(awsvpc.HasMember("Hostname"));
  CHECK(unsupported(R"("dnsServers":["10.0.0.2"],"extraHosts":[{"hostname":"db","ipAddress":"10.0.0.9"}])",
                    task_in("awsvpc")) == std::vector<std::string>{"dnsServers", "extraHosts"});
  CHECK(unsupported(R"("dnsServers":["10.0.0.2"])", task_in("bridge")).empty());
}

TEST_CASE("disableNetworking, sysctls, privileged, read-only root and ulimits reach Docker") {
  auto b = body(R"("memory":64,"disableNetworking":true,"privileged":true,"readonlyRootFilesystem":true,
      "systemControls":[{"namespace":"net.core.somaxconn","value":"1024"}],
      "ulimits":[{"name":"nofile","softLimit":1024,"hardLimit":2048}],
      "pseudoTerminal":true,"interactive":true,"dockerLabels":{"team":"a"})",
                task_in("bridge"));
  CHECK(b["NetworkDisabled"].GetBool());
  CHECK(b["Tty"].GetBool());
  CHECK(b["OpenStdin"].GetBool());
  CHECK(std::string(b["Labels"]["team"].GetString()) == "a");
  const auto& hc = b["HostConfig"];
  CHECK(hc["Privileged"].GetBool());
  CHECK(hc["ReadonlyRootfs"].GetBool());
  CHECK(std::string(hc["Sysctls"]["net.core.somaxconn"].GetString()) == "1024");
  CHECK(std::string(hc["Ulimits"][0]["Name"].GetString()) == "nofile");
  CHECK(hc["Ulimits"][0]["Hard"].GetInt64() == 2048);
  CHECK_FALSE(body(R"("memory":64,"disableNetworking":false)", task_in("bridge")).HasMember("NetworkDisabled"));
}

TEST_CASE("Docker's own log drivers are configured; awslogs is left to berth's follower") {
  auto b = body(R"("memory":64,"logConfiguration":{"logDriver":"json-file","options":{"max-size":"1m"}})",
                task_in("bridge"));
  CHECK(std::string(b["HostConfig"]["LogConfig"]["Type"].GetString()) == "json-file");
  CHECK(std::string(b["HostConfig"]["LogConfig"]["Config"]["max-size"].GetString()) == "1m");
  auto awslogs = body(R"("memory":64,"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g"}})",
                      task_in("bridge"));
  CHECK_FALSE(awslogs["HostConfig"].HasMember("LogConfig"));
  CHECK(unsupported(R"("logConfiguration":{"logDriver":"awsfirelens"})", task_in("awsvpc")) ==
        std::vector<std::string>{"logConfiguration awsfirelens"});
  CHECK(unsupported(R"("logConfiguration":{"logDriver":"splunk","secretOptions":[{"name":"splunk-token","valueFrom":"arn"}]})",
                    task_in("awsvpc")) == std::vector<std::string>{"logConfiguration.secretOptions"});
}

TEST_CASE("only what Docker cannot give is reported unsupported") {
  auto ignored = unsupported(R"("memory":64,"secrets":[{"name":"A","valueFrom":"arn"}],
      "environmentFiles":[{"value":"arn:aws:s3:::b/f.env","type":"s3"}],
      "repositoryCredentials":{"credentialsParameter":"arn"},
      "firelensConfiguration":{"type":"fluentbit"},
      "resourceRequirements":[{"value":"1","type":"GPU"}],
      "credentialSpecs":["credentialspec:arn"],
      "linuxParameters":{"sharedMemorySize":64,"tmpfs":[{"containerPath":"/t","size":1}],"maxSwap":0,"swappiness":5,
                         "devices":[{"hostPath":"/dev/null"}],"capabilities":{"add":["NET_ADMIN"]}},
      "dockerSecurityOptions":["no-new-privileges"])",
                             task_in("bridge"));
  // Secrets, environment files and registry credentials are fetched by the engine (secret_values.h).
  CHECK(ignored == std::vector<std::string>{"firelensConfiguration", "resourceRequirements", "credentialSpecs"});
  CHECK(unsupported(R"("secrets":[],"links":[])", task_in("bridge")).empty());  // empty lists ask for nothing
}
