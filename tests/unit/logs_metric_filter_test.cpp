// Metric filter values and dimensions, TestMetricFilter's extracted values, %regex% patterns.
#include <doctest/doctest.h>

#include "logs/filter_pattern.h"
#include "logs/metric_filter.h"

using namespace berth::logs;

namespace {
using Extracted = std::vector<std::pair<std::string, std::string>>;

MetricTransformation transformation(std::string value, std::vector<std::pair<std::string, std::string>> dims = {}) {
  MetricTransformation t;
  t.metric_name = "M";
  t.metric_namespace = "N";
  t.metric_value = std::move(value);
  t.dimensions = std::move(dims);
  return t;
}
}  // namespace

TEST_CASE("metric filter: a literal, a JSON selector or a delimited field gives the value") {
  CHECK(emission(transformation("1"), "anything", {})->value == 1);
  CHECK(emission(transformation("$.a.b[1]"), R"({"a":{"b":[5, 7.5]}})", {})->value == 7.5);
  CHECK_FALSE(emission(transformation("$.missing"), R"({"a":1})", {}));
  CHECK_FALSE(emission(transformation("$.a"), R"({"a":"text"})", {}));
  CHECK(emission(transformation("$size"), "x", Extracted{{"$size", "2048"}})->value == 2048);
}

TEST_CASE("metric filter: dimensions come from the event; a missing one publishes nothing") {
  auto e = emission(transformation("1", {{"User", "$.user"}}), R"({"user":"bob"})", {});
  REQUIRE(e);
  CHECK(e->dimensions == Extracted{{"User", "bob"}});
  CHECK_FALSE(emission(transformation("1", {{"User", "$.user"}}), R"({"other":1})", {}));
}

TEST_CASE("metric filter: stored transformations are checked") {
  CHECK(transformation_problem(transformation("abc")));
  auto t = transformation("1", {{"User", "$.user"}});
  t.default_value = 0;
  CHECK(transformation_problem(t));
  CHECK_FALSE(transformation_problem(transformation("$.x", {{"User", "$.user"}})));
}

TEST_CASE("filter pattern: delimited fields are extracted as $name") {
  std::string error;
  auto p = FilterPattern::parse("[ip, user, ..., status = 5*]", error);
  REQUIRE(p);
  Extracted out;
  REQUIRE(p->matches_extracting("1.2.3.4 bob GET /x 503", out));
  CHECK(out == Extracted{{"$ip", "1.2.3.4"}, {"$user", "bob"}, {"$status", "503"}});
  out.clear();
  CHECK_FALSE(p->matches_extracting("1.2.3.4 bob GET /x 200", out));
}

TEST_CASE("filter pattern: %regex% matches where the regex occurs") {
  std::string error;
  auto p = FilterPattern::parse("%5[0-9]{2}$%", error);
  REQUIRE(p);
  CHECK(p->matches("GET /b 503"));
  CHECK_FALSE(p->matches("GET /b 503 x"));
  CHECK_FALSE(FilterPattern::parse("%(unclosed%", error));
  CHECK(error == "Invalid filter pattern: invalid regular expression");
}
