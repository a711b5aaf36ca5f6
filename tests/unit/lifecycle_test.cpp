// ECR lifecycle policy rules: validation of the document and which images a policy expires.
#include <doctest/doctest.h>

#include "registry/lifecycle.h"

using namespace berth::registry::lifecycle;

namespace {
constexpr std::int64_t kDay = 24LL * 60 * 60 * 1000;
constexpr std::int64_t kNow = 1000 * kDay;

std::string rule(int priority, const std::string& selection) {
  return R"({"rulePriority":)" + std::to_string(priority) + R"(,"selection":)" + selection +
         R"(,"action":{"type":"expire"}})";
}
std::string policy(const std::vector<std::string>& rules) {
  std::string s = R"({"rules":[)";
  for (std::size_t i = 0; i < rules.size(); ++i) s += (i ? "," : "") + rules[i];
  return s + "]}";
}
Policy parsed(const std::string& text) {
  auto p = parse_policy(text);
  REQUIRE_MESSAGE(std::holds_alternative<Policy>(p), std::get<std::string>(p));
  return std::get<Policy>(p);
}
std::string failure(const std::string& text) {
  auto p = parse_policy(text);
  REQUIRE(std::holds_alternative<std::string>(p));
  return std::get<std::string>(p);
}
// Digests of the expired images, in evaluate()'s order.
std::vector<std::string> expired(const std::string& text, const std::vector<Image>& images) {
  std::vector<std::string> out;
  for (const auto& e : evaluate(parsed(text), images, kNow)) out.push_back(images[e.image].digest);
  return out;
}
Image img(const char* digest, std::vector<std::string> tags, std::int64_t days_ago) {
  return {digest, std::move(tags), kNow - days_ago * kDay};
}
const char* kUntaggedKeep1 = R"({"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1})";
}  // namespace

TEST_CASE("a valid policy parses with its rules sorted by priority") {
  auto p = parsed(policy({rule(5, R"({"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":30})"),
                          rule(2, R"({"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":3})")}));
  REQUIRE(p.rules.size() == 2);
  CHECK(p.rules[0].priority == 2);
  CHECK(p.rules[0].tag_prefixes == std::vector<std::string>{"prod"});
  CHECK(p.rules[1].count_type == CountType::SinceImagePushed);
  CHECK(p.rules[1].count_number == 30);
}

TEST_CASE("policies ECR refuses are refused, with the reason") {
  CHECK(failure("not json").find("JSON") != std::string::npos);
  CHECK(failure(R"({"rules":[]})").find("non-empty") != std::string::npos);
  CHECK(failure(R"({})").find("rules") != std::string::npos);
  CHECK(failure(policy({rule(1, R"({"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":1})")}))
            .find("tagPrefixList or tagPatternList is required") != std::string::npos);
  CHECK(failure(policy({rule(1, kUntaggedKeep1), rule(1, R"({"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1})")}))
            .find("rulePriority 1") != std::string::npos);
  CHECK(failure(policy({rule(1, R"({"tagStatus":"untagged","countType":"imageCountMoreThan","countUnit":"days","countNumber":1})")}))
            .find("countUnit") != std::string::npos);
  CHECK(failure(policy({rule(1, R"({"tagStatus":"untagged","countType":"sinceImagePushed","countNumber":1})")}))
            .find("countUnit is required") != std::string::npos);
  CHECK(failure(policy({rule(1, R"({"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"hours","countNumber":1})")}))
            .find("days") != std::string::npos);
  CHECK(failure(policy({rule(1, R"({"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":0})")}))
            .find("countNumber") != std::string::npos);
  CHECK(failure(policy({rule(1, R"({"tagStatus":"sometimes","countType":"imageCountMoreThan","countNumber":1})")}))
            .find("tagStatus") != std::string::npos);
  CHECK(failure(policy({rule(1, R"({"tagStatus":"untagged","countType":"imageCountLessThan","countNumber":1})")}))
            .find("countType") != std::string::npos);
  CHECK(failure(policy({rule(1, R"({"tagStatus":"untagged","tagPrefixList":["a"],"countType":"imageCountMoreThan","countNumber":1})")}))
            .find("only be used when tagStatus is tagged") != std::string::npos);
  CHECK(failure(policy({rule(1, R"({"tagStatus":"tagged","tagPrefixList":["a"],"tagPatternList":["a*"],"countType":"imageCountMoreThan","countNumber":1})")}))
            .find("both") != std::string::npos);
  CHECK(failure(policy({rule(1, R"({"tagStatus":"tagged","tagPatternList":["a*b*c*d*e*"],"countType":"imageCountMoreThan","countNumber":1})")}))
            .find("wildcards") != std::string::npos);
  CHECK(failure(policy({rule(1, R"({"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1})"), rule(2, kUntaggedKeep1)}))
            .find("highest rulePriority") != std::string::npos);
  CHECK(failure(policy({rule(1, kUntaggedKeep1), rule(2, kUntaggedKeep1)})).find("untagged") != std::string::npos);
  CHECK(failure(R"({"rules":[{"rulePriority":1,"selection":)" + std::string(kUntaggedKeep1) + R"(,"action":{"type":"delete"}}]})")
            .find("expire") != std::string::npos);
  CHECK(failure(R"({"rules":[{"rulePriority":1,"selection":)" + std::string(kUntaggedKeep1) + "}]}")
            .find("missing required properties ([\"action\"])") != std::string::npos);
}

TEST_CASE("tag patterns: '*' matches any run of characters, the rest literally") {
  CHECK(matches_pattern("prod", "prod*"));
  CHECK(matches_pattern("production-team1", "prod*"));
  CHECK(matches_pattern("repo-production", "*prod*"));
  CHECK(matches_pattern("v1-test-2", "v*test*"));
  CHECK(matches_pattern("abc", "a*b*c"));
  CHECK_FALSE(matches_pattern("pro", "prod*"));
  CHECK_FALSE(matches_pattern("myprod", "prod*"));
  CHECK_FALSE(matches_pattern("prod-x", "*prod"));
  CHECK(matches_pattern("x-prod", "*prod"));
  CHECK(matches_pattern("exact", "exact"));
  CHECK_FALSE(matches_pattern("exactly", "exact"));
}

TEST_CASE("selection: untagged, any, and every listed prefix matched by some tag") {
  auto p = parsed(policy({rule(1, R"({"tagStatus":"tagged","tagPrefixList":["alpha","beta"],"countType":"imageCountMoreThan","countNumber":1})")}));
  CHECK(selects(p.rules[0], {"alpha-1", "beta-1"}));
  CHECK_FALSE(selects(p.rules[0], {"alpha-1"}));
  CHECK_FALSE(selects(p.rules[0], {}));
  auto u = parsed(policy({rule(1, kUntaggedKeep1)}));
  CHECK(selects(u.rules[0], {}));
  CHECK_FALSE(selects(u.rules[0], {"x"}));
}

TEST_CASE("imageCountMoreThan keeps the newest N selected images and expires the rest, oldest first") {
  std::vector<Image> images = {img("a", {}, 5), img("b", {}, 1), img("c", {}, 3), img("d", {"v1"}, 9), img("e", {}, 4)};
  CHECK(expired(policy({rule(1, R"({"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":2})")}), images) ==
        std::vector<std::string>{"a", "e"});
}

TEST_CASE("sinceImagePushed expires selected images pushed more than N days ago") {
  std::vector<Image> images = {img("old", {"prod-1"}, 20), img("new", {"prod-2"}, 2), img("other", {"dev"}, 40),
                               img("edge", {"prod-3"}, 10)};
  CHECK(expired(policy({rule(1, R"({"tagStatus":"tagged","tagPatternList":["prod-*"],"countType":"sinceImagePushed","countUnit":"days","countNumber":10})")}),
                images) == std::vector<std::string>{"old"});
}

TEST_CASE("an image a rule selects cannot be expired by a rule of lower priority") {
  // Rule 1 keeps the newest prod image and expires the older one; rule 2 (any, keep 1) would
  // expire everything but the newest image, yet both prod images are rule 1's.
  std::vector<Image> images = {img("p1", {"prod-1"}, 10), img("p2", {"prod-2"}, 1), img("x1", {}, 8),
                               img("x2", {"dev"}, 5), img("x3", {}, 3)};
  auto text = policy({rule(1, R"({"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1})"),
                      rule(2, R"({"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1})")});
  auto result = evaluate(parsed(text), images, kNow);
  REQUIRE(result.size() == 4);
  CHECK(images[result[0].image].digest == "p1");
  CHECK(result[0].rule_priority == 1);
  // The any rule counts p2 as its newest image, so it expires all three others.
  std::vector<std::string> rest;
  for (std::size_t i = 1; i < result.size(); ++i) {
    rest.push_back(images[result[i].image].digest);
    CHECK(result[i].rule_priority == 2);
  }
  CHECK(rest == std::vector<std::string>{"x1", "x2", "x3"});
}

TEST_CASE("ECR's documented multiple-rule examples") {
  std::vector<Image> images = {img("A", {"beta-1", "prod-1"}, 10), img("B", {"beta-2", "prod-2"}, 9),
                               img("C", {"beta-3"}, 8)};
  auto prod = rule(1, R"({"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1})");
  auto beta = rule(2, R"({"tagStatus":"tagged","tagPrefixList":["beta"],"countType":"imageCountMoreThan","countNumber":1})");
  // Example A: rule 2 would expire A and B, but rule 1 saw both: only A (rule 1's) goes.
  CHECK(expired(policy({prod, beta}), images) == std::vector<std::string>{"A"});
  // Example B, priorities swapped: the beta rule expires A and B; the prod rule adds nothing.
  auto beta_first = rule(1, R"({"tagStatus":"tagged","tagPrefixList":["beta"],"countType":"imageCountMoreThan","countNumber":1})");
  auto prod_second = rule(2, R"({"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1})");
  CHECK(expired(policy({beta_first, prod_second}), images) == std::vector<std::string>{"A", "B"});
  // Multiple prefixes in one rule: only images with both alpha and beta tags, older than 5 days.
  std::vector<Image> mixed = {img("A", {"alpha-1"}, 12), img("B", {"beta-1"}, 11), img("C", {"alpha-2", "beta-2"}, 10),
                              img("D", {"alpha-3"}, 4), img("E", {"beta-3"}, 3), img("F", {"alpha-4", "beta-4"}, 2)};
  CHECK(expired(policy({rule(1, R"({"tagStatus":"tagged","tagPrefixList":["alpha","beta"],"countType":"sinceImagePushed","countUnit":"days","countNumber":5})")}),
                mixed) == std::vector<std::string>{"C"});
}
