#include <doctest/doctest.h>

#include "api/service_model.h"
#include "api/validator.h"

using namespace berth;
using namespace berth::api;

namespace {
const ServiceModel& ecs() {
  static auto m = ServiceModel::embedded("ecs");
  return *m;
}
std::optional<AwsError> check(const char* op, const char* body) {
  rapidjson::Document d;
  d.Parse(body);
  REQUIRE_FALSE(d.HasParseError());
  return validate(*ecs().operation(op)->input, d, {"ClientException", "InvalidParameterException"});
}
}  // namespace

TEST_CASE("the embedded ECS model has its operations and target prefix") {
  CHECK(ecs().target_prefix() == "AmazonEC2ContainerServiceV20141113");
  REQUIRE(ecs().operation("RegisterTaskDefinition"));
  CHECK(ecs().operation("ListClusters")->paginator->output_token == "nextToken");
  CHECK(ecs().operations().size() > 50);
}

TEST_CASE("a valid request passes") {
  CHECK_FALSE(check("RegisterTaskDefinition",
                    R"({"family":"web","containerDefinitions":[{"name":"app","image":"nginx","portMappings":[{"containerPort":80}]}]})"));
  CHECK_FALSE(check("ListClusters", "{}"));
}

TEST_CASE("a missing required member is a ClientException naming it") {
  auto e = check("RegisterTaskDefinition", R"({"containerDefinitions":[]})");
  REQUIRE(e);
  CHECK(e->code == "ClientException");
  CHECK(e->message == "1 validation error detected: Value null at 'family' failed to satisfy constraint: Member must not be null");
}

TEST_CASE("nested paths count list items from one") {
  auto e = check("CreateCluster",
                 R"({"defaultCapacityProviderStrategy":[{"capacityProvider":"a"},{"capacityProvider":"b","weight":5000}]})");
  REQUIRE(e);
  CHECK(e->code == "InvalidParameterException");
  CHECK(e->message ==
        "1 validation error detected: Value '5000' at 'defaultCapacityProviderStrategy.2.member.weight' failed to "
        "satisfy constraint: Member must have value less than or equal to 1000");
}

TEST_CASE("a bad enum value lists the allowed set") {
  auto e = check("RegisterTaskDefinition", R"({"family":"f","containerDefinitions":[],"networkMode":"bogus"})");
  REQUIRE(e);
  CHECK(e->code == "InvalidParameterException");
  CHECK(e->message.find("Member must satisfy enum value set: [bridge, host, awsvpc, none]") != std::string::npos);
}

TEST_CASE("wrong JSON types are SerializationExceptions") {
  auto e = check("ListClusters", R"({"maxResults":"ten"})");
  REQUIRE(e);
  CHECK(e->code == "SerializationException");
  CHECK(e->message == "STRING_VALUE can not be converted to an Integer");
  e = check("DescribeClusters", R"({"clusters":"demo"})");
  REQUIRE(e);
  CHECK(e->code == "SerializationException");
  e = check("CreateCluster", R"({"clusterName":{"a":1}})");
  REQUIRE(e);
  CHECK(e->message == "Start of structure or map found where not expected.");
  e = check("ListClusters", R"({"maxResults":1.5})");
  REQUIRE(e);
  CHECK(e->code == "SerializationException");
  e = check("ListClusters", R"({"maxResults":99999999999})");
  REQUIRE(e);
  CHECK(e->code == "SerializationException");
}

TEST_CASE("null members count as absent and unknown members are ignored") {
  CHECK_FALSE(check("ListClusters", R"({"nextToken":null,"somethingNew":[[[1]]]})"));
}

TEST_CASE("patterns with Unicode classes check ASCII input") {
  CHECK_FALSE(check("TagResource", R"({"resourceArn":"x","tags":[{"key":"team name_1:/=+-@","value":"v"}]})"));
  CHECK_FALSE(check("TagResource", R"({"resourceArn":"x","tags":[{"key":"équipe","value":"v"}]})"));
  auto e = check("TagResource", R"({"resourceArn":"x","tags":[{"key":"bad!key","value":"v"}]})");
  REQUIRE(e);
  CHECK(e->message.find("Member must satisfy regular expression pattern") != std::string::npos);
}

TEST_CASE("several broken constraints are reported together") {
  auto e = check("TagResource", R"({"resourceArn":"x","tags":[{"key":"","value":"v"}],"extra":1})");
  REQUIRE(e);
  CHECK(e->message.starts_with("1 validation error detected"));
  e = check("TagResource", R"({"tags":[{"key":"","value":"v"}]})");
  REQUIRE(e);
  CHECK(e->message.starts_with("2 validation errors detected"));
  CHECK(e->code == "ClientException");
}

TEST_CASE("query services name members in lowerCamel case, nested ones too") {
  auto iam = ServiceModel::embedded("iam");
  rapidjson::Document d;
  d.Parse(R"({"AssumeRolePolicyDocument":"{}","Tags":[{"Key":"k"}]})");
  auto e = validate(*iam->operation("CreateRole")->input, d, {"ValidationError", "ValidationError", true});
  REQUIRE(e);
  CHECK(e->code == "ValidationError");
  CHECK(e->message ==
        "2 validation errors detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null; "
        "Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null");
}

TEST_CASE("ECR states one broken constraint in its own form") {
  auto ecr = ServiceModel::embedded("ecr");
  const ValidationCodes codes{"InvalidParameterException", "InvalidParameterException", false, true};
  rapidjson::Document d;
  d.Parse(R"({"repositoryName":"Bad_Name!","imageTagMutability":"SOMETIMES"})");
  auto e = validate(*ecr->operation("CreateRepository")->input, d, codes);
  REQUIRE(e);
  CHECK(e->code == "InvalidParameterException");
  CHECK(e->message ==
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression "
        "'[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*''");
  d.Parse(R"({"repositoryName":"web","imageTagMutability":"SOMETIMES"})");
  e = validate(*ecr->operation("CreateRepository")->input, d, codes);
  REQUIRE(e);
  CHECK(e->message.starts_with("Invalid parameter at 'imageTagMutability' failed to satisfy constraint: "
                               "'Member must satisfy enum value set: [MUTABLE, IMMUTABLE"));
  CHECK(e->message.ends_with("]'"));
}
