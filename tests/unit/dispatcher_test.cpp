// Handlers through the dispatcher, without HTTP: each response is checked against the
// operation's output shape, and each error code against the operation's model error list.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "api/dispatcher.h"
#include "api/services.h"
#include "api/validator.h"
#include "dispatch_harness.h"

using namespace berth;
using namespace berth::api;
namespace fs = std::filesystem;

namespace {
// The ECS harness: an InternalFailure is never expected but listed so the check names it.
struct Harness : berth::test::DispatchHarness {
  Harness() : DispatchHarness("AmazonEC2ContainerServiceV20141113", {"SerializationException", "InternalFailure"},
                              1700000000000) {}
};

const char* kFargateTd = R"({"family":"flask","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],
  "cpu":"256","memory":"512","executionRoleArn":"arn:aws:iam::000000000000:role/exec",
  "containerDefinitions":[{"name":"web","image":"flask-app:latest","portMappings":[{"containerPort":3000}],
  "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/flask"}}}]})";
}  // namespace

TEST_CASE("clusters: create, describe with failures, list, delete") {
  Harness h;
  auto created = h.call("CreateCluster", R"({"clusterName":"demo","capacityProviders":["FARGATE"],
      "defaultCapacityProviderStrategy":[{"capacityProvider":"FARGATE","weight":1}],"tags":[{"key":"team","value":"a"}]})");
  REQUIRE(created.status == 200);
  auto& c = created.body["cluster"];
  CHECK(std::string(c["clusterArn"].GetString()) == "arn:aws:ecs:us-east-1:000000000000:cluster/demo");
  CHECK(std::string(c["status"].GetString()) == "ACTIVE");
  CHECK(c["defaultCapacityProviderStrategy"][0]["base"].GetInt() == 0);
  CHECK(std::string(c["tags"][0]["key"].GetString()) == "team");

  auto described = h.call("DescribeClusters", R"({"clusters":["demo","ghost"]})");
  CHECK(described.body["clusters"].Size() == 1);
  CHECK(std::string(described.body["failures"][0]["reason"].GetString()) == "MISSING");
  CHECK(std::string(described.body["failures"][0]["arn"].GetString()) ==
        "arn:aws:ecs:us-east-1:000000000000:cluster/ghost");

  CHECK(h.call("ListClusters", "{}").body["clusterArns"].Size() == 1);
  auto deleted = h.call("DeleteCluster", R"({"cluster":"demo"})");
  CHECK(std::string(deleted.body["cluster"]["status"].GetString()) == "INACTIVE");
  CHECK(h.call("ListClusters", "{}").body["clusterArns"].Size() == 0);
  auto again = h.call("UpdateClusterSettings", R"({"cluster":"demo","settings":[{"name":"containerInsights","value":"enabled"}]})");
  CHECK(again.status == 400);
  CHECK(again.code() == "ClusterNotFoundException");
}

TEST_CASE("a failed mutation changes nothing") {
  Harness h;
  auto bad = h.call("CreateCluster", R"({"clusterName":"x","capacityProviders":["NOPE"]})");
  CHECK(bad.status == 400);
  CHECK(bad.code() == "InvalidParameterException");
  CHECK(h.call("ListClusters", "{}").body["clusterArns"].Size() == 0);
  auto badtag = h.call("CreateCluster", R"({"clusterName":"y","tags":[{"key":"aws:x","value":"1"}]})");
  CHECK(badtag.code() == "InvalidParameterException");
  // Tag validation happens before the cluster is written, so neither exists.
  CHECK(h.call("ListClusters", "{}").body["clusterArns"].Size() == 0);
}

TEST_CASE("task definitions: Fargate registration fills in what ECS fills in") {
  Harness h;
  auto r = h.call("RegisterTaskDefinition", kFargateTd);
  REQUIRE(r.status == 200);
  auto& td = r.body["taskDefinition"];
  CHECK(std::string(td["taskDefinitionArn"].GetString()) == "arn:aws:ecs:us-east-1:000000000000:task-definition/flask:1");
  CHECK(td["revision"].GetInt() == 1);
  CHECK(std::string(td["status"].GetString()) == "ACTIVE");
  CHECK(td["compatibilities"].Size() == 2);
  CHECK(std::string(td["registeredBy"].GetString()) == "arn:aws:iam::000000000000:root");
  CHECK(td["registeredAt"].GetDouble() == doctest::Approx(1700000000.0));
  auto& pm = td["containerDefinitions"][0]["portMappings"][0];
  CHECK(pm["hostPort"].GetInt() == 3000);
  CHECK(std::string(pm["protocol"].GetString()) == "tcp");
  CHECK(td["containerDefinitions"][0]["essential"].GetBool());
  CHECK(std::string(td["requiresAttributes"][0]["name"].GetString()) ==
        "com.amazonaws.ecs.capability.logging-driver.awslogs");
  CHECK(h.call("RegisterTaskDefinition", kFargateTd).body["taskDefinition"]["revision"].GetInt() == 2);
  CHECK(h.call("DescribeTaskDefinition", R"({"taskDefinition":"flask"})").body["taskDefinition"]["revision"].GetInt() == 2);
}

TEST_CASE("task definitions: Fargate rules") {
  Harness h;
  auto bridge = h.call("RegisterTaskDefinition", R"({"family":"f","networkMode":"bridge","requiresCompatibilities":["FARGATE"],
    "cpu":"256","memory":"512","containerDefinitions":[{"name":"a","image":"i"}]})");
  CHECK(bridge.code() == "ClientException");
  CHECK(bridge.message() == "Fargate only supports network mode \u2018awsvpc\u2019.");
  auto combo = h.call("RegisterTaskDefinition", R"({"family":"f","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],
    "cpu":"256","memory":"4096","containerDefinitions":[{"name":"a","image":"i"}]})");
  CHECK(combo.message() ==
        "No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.");
  auto nocpu = h.call("RegisterTaskDefinition", R"({"family":"f","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],
    "memory":"512","containerDefinitions":[{"name":"a","image":"i"}]})");
  CHECK(nocpu.message() == "Fargate requires that 'cpu' be defined at the task level.");
  auto blank = h.call("RegisterTaskDefinition", R"({"family":"","containerDefinitions":[{"name":"a","image":"i","memory":64}]})");
  CHECK(blank.message() == "Family can not be blank.");
  // Nothing was registered by any of these.
  CHECK(h.call("ListTaskDefinitionFamilies", "{}").body["families"].Size() == 0);
}

TEST_CASE("task definitions: list pages in both directions") {
  Harness h;
  for (int i = 0; i < 5; ++i)
    h.call("RegisterTaskDefinition", R"({"family":"a","containerDefinitions":[{"name":"c","image":"i","memory":64}]})");
  auto page1 = h.call("ListTaskDefinitions", R"({"maxResults":2,"sort":"DESC"})");
  REQUIRE(page1.body["taskDefinitionArns"].Size() == 2);
  CHECK(std::string(page1.body["taskDefinitionArns"][0].GetString()).ends_with("a:5"));
  std::string token = page1.body["nextToken"].GetString();
  auto page2 = h.call("ListTaskDefinitions", R"({"maxResults":2,"sort":"DESC","nextToken":")" + token + "\"}");
  CHECK(std::string(page2.body["taskDefinitionArns"][0].GetString()).ends_with("a:3"));
  auto bad = h.call("ListTaskDefinitions", R"({"nextToken":"garbage!"})");
  CHECK(bad.code() == "InvalidParameterException");
}

TEST_CASE("deregister then delete") {
  Harness h;
  h.call("RegisterTaskDefinition", R"({"family":"a","containerDefinitions":[{"name":"c","image":"i","memory":64}]})");
  auto active = h.call("DeleteTaskDefinitions", R"({"taskDefinitions":["a:1"]})");
  CHECK(active.body["failures"].Size() == 1);
  CHECK(active.body["taskDefinitions"].Size() == 0);
  auto dereg = h.call("DeregisterTaskDefinition", R"({"taskDefinition":"a:1"})");
  CHECK(std::string(dereg.body["taskDefinition"]["status"].GetString()) == "INACTIVE");
  CHECK(dereg.body["taskDefinition"].HasMember("deregisteredAt"));
  auto del = h.call("DeleteTaskDefinitions", R"({"taskDefinitions":["a:1"]})");
  CHECK(std::string(del.body["taskDefinitions"][0]["status"].GetString()) == "DELETE_IN_PROGRESS");
  CHECK(h.call("DescribeTaskDefinition", R"({"taskDefinition":"a"})").code() == "ClientException");
}

TEST_CASE("protocol errors") {
  Harness h;
  CHECK(h.call("ListClusters", "{not json").code() == "SerializationException");
  CHECK(h.call("ListClusters", "").code() == "SerializationException");
  CHECK(h.call("ListClusters", "[]").code() == "SerializationException");
  auto unknown = h.call("NoSuchThing", "{}");
  CHECK(unknown.code() == "UnknownOperationException");
  auto unimplemented = h.call("CreateCapacityProvider", R"({"name":"cp","autoScalingGroupProvider":{"autoScalingGroupArn":"a"}})");
  CHECK(unimplemented.status == 501);
  CHECK(unimplemented.message().find("CreateCapacityProvider") != std::string::npos);
}

TEST_CASE("the caller's account and region partition state") {
  Harness h;
  const std::string other = "AWS4-HMAC-SHA256 Credential=123456789012/20240101/eu-west-1/ecs/aws4_request";
  h.call("CreateCluster", R"({"clusterName":"mine"})", other);
  CHECK(h.call("ListClusters", "{}").body["clusterArns"].Size() == 0);
  auto theirs = h.call("ListClusters", "{}", other);
  REQUIRE(theirs.body["clusterArns"].Size() == 1);
  CHECK(std::string(theirs.body["clusterArns"][0].GetString()) == "arn:aws:ecs:eu-west-1:123456789012:cluster/mine");
}

TEST_CASE("deeply nested bodies are refused without recursion") {
  Harness h;
  std::string deep = R"({"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto r = h.call("ListClusters", deep);
  CHECK(r.status == 400);
  CHECK(r.code() == "SerializationException");
  std::string fine = R"({"x":[[[["a]]]]"]]]],"maxResults":5})";  // brackets inside strings do not count
  CHECK(h.call("ListClusters", fine).status == 200);
}
