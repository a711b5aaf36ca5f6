#include <doctest/doctest.h>

#include "common/arn.h"

using berth::Arn;

TEST_CASE("ARNs parse into their parts and back") {
  auto arn = Arn::parse("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3");
  REQUIRE(arn);
  CHECK(arn->service == "ecs");
  CHECK(arn->region == "us-east-1");
  CHECK(arn->account == "123456789012");
  CHECK(arn->resource_type() == "task-definition");
  CHECK(arn->resource_id() == "web:3");
  CHECK(arn->str() == "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3");
}

TEST_CASE("ARNs with colons in the resource keep them") {
  auto arn = Arn::parse("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:*");
  REQUIRE(arn);
  CHECK(arn->resource == "log-group:/ecs/app:*");
  CHECK(arn->resource_type() == "log-group");
}

TEST_CASE("malformed ARNs are refused") {
  CHECK_FALSE(Arn::parse("cluster/demo"));
  CHECK_FALSE(Arn::parse("arn:aws:ecs:us-east-1"));
  CHECK_FALSE(Arn::parse("arn::ecs:us-east-1:1:cluster/x"));
  CHECK_FALSE(Arn::parse("arn:aws:ecs:us-east-1:123:"));
}

TEST_CASE("ECS ARNs use the long format") {
  CHECK(berth::arns::cluster("eu-west-1", "000000000000", "demo") == "arn:aws:ecs:eu-west-1:000000000000:cluster/demo");
  CHECK(berth::arns::task_definition("us-east-1", "1", "flask", 12) == "arn:aws:ecs:us-east-1:1:task-definition/flask:12");
  CHECK(berth::arns::root_principal("123456789012") == "arn:aws:iam::123456789012:root");
}
