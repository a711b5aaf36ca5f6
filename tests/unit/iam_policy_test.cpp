// The policy evaluator as a table: each row one request against one or more documents.
#include <doctest/doctest.h>

#include "iam/managed_policies.h"
#include "iam/policy_evaluator.h"

using namespace berth::iam;

namespace {
constexpr const char* kEcsRead =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:List*","ecs:Describe*"],"Resource":"*"}]})";
constexpr const char* kDenyDelete =
    R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"ecs:Delete*","Resource":"*"}})";
constexpr const char* kAllowAll = R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
constexpr const char* kNotAction =
    R"({"Statement":[{"Effect":"Allow","NotAction":["iam:*","sts:*"],"Resource":"*"}]})";
constexpr const char* kOneCluster =
    R"({"Statement":[{"Effect":"Allow","Action":"ecs:DescribeClusters","Resource":"arn:aws:ecs:us-east-1:123456789012:cluster/prod-?"}]})";
constexpr const char* kNotResource =
    R"({"Statement":[{"Effect":"Allow","Action":"logs:*","NotResource":"arn:aws:logs:*:*:log-group:secret*"}]})";
constexpr const char* kRegion =
    R"({"Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]})";
constexpr const char* kNotRegion =
    R"({"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}]})";
constexpr const char* kLikeIfExists =
    R"({"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringLikeIfExists":{"iam:PassedToService":"ecs-tasks.*"}}}]})";
constexpr const char* kSecure =
    R"({"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"},"NumericLessThan":{"s3:max-keys":"10"}}}]})";
constexpr const char* kArnLike =
    R"({"Statement":[{"Effect":"Allow","Action":"ecs:RunTask","Resource":"*","Condition":{"ArnLike":{"ecs:cluster":"arn:aws:ecs:*:*:cluster/dev-*"}}}]})";
constexpr const char* kNotJson = "{not json";

struct Row {
  const char* name;
  std::vector<std::string_view> docs;
  const char* action;
  const char* resource;
  std::map<std::string, std::vector<std::string>> keys;
  Decision want;
};
}  // namespace

TEST_CASE("policy evaluator: allow, implicit deny, explicit deny wins") {
  const Row rows[] = {
      {"wildcard action allows", {kEcsRead}, "ecs:ListClusters", "*", {}, Decision::Allow},
      {"actions are case-insensitive", {kEcsRead}, "ECS:listclusters", "*", {}, Decision::Allow},
      {"other action: implicit deny", {kEcsRead}, "ecs:CreateCluster", "*", {}, Decision::ImplicitDeny},
      {"no documents: implicit deny", {}, "ecs:ListClusters", "*", {}, Decision::ImplicitDeny},
      {"deny wins over allow", {kAllowAll, kDenyDelete}, "ecs:DeleteCluster", "*", {}, Decision::ExplicitDeny},
      {"deny only where it matches", {kAllowAll, kDenyDelete}, "ecs:CreateCluster", "*", {}, Decision::Allow},
      {"NotAction allows the rest", {kNotAction}, "ecs:ListClusters", "*", {}, Decision::Allow},
      {"NotAction excludes", {kNotAction}, "iam:CreateRole", "*", {}, Decision::ImplicitDeny},
      {"resource ? matches one char", {kOneCluster}, "ecs:DescribeClusters",
       "arn:aws:ecs:us-east-1:123456789012:cluster/prod-a", {}, Decision::Allow},
      {"resource ? not two chars", {kOneCluster}, "ecs:DescribeClusters",
       "arn:aws:ecs:us-east-1:123456789012:cluster/prod-ab", {}, Decision::ImplicitDeny},
      {"resources are case-sensitive", {kOneCluster}, "ecs:DescribeClusters",
       "arn:aws:ecs:us-east-1:123456789012:cluster/PROD-a", {}, Decision::ImplicitDeny},
      {"NotResource allows others", {kNotResource}, "logs:PutLogEvents",
       "arn:aws:logs:us-east-1:1:log-group:app", {}, Decision::Allow},
      {"NotResource excludes", {kNotResource}, "logs:PutLogEvents", "arn:aws:logs:us-east-1:1:log-group:secret-x", {},
       Decision::ImplicitDeny},
      {"StringEquals any of values", {kRegion}, "ecs:ListClusters", "*", {{"aws:RequestedRegion", {"eu-west-1"}}},
       Decision::Allow},
      {"StringEquals mismatch", {kRegion}, "ecs:ListClusters", "*", {{"aws:RequestedRegion", {"ap-south-1"}}},
       Decision::ImplicitDeny},
      {"condition key names ignore case", {kRegion}, "ecs:ListClusters", "*",
       {{"AWS:requestedregion", {"us-east-1"}}}, Decision::Allow},
      {"missing key fails a positive operator", {kRegion}, "ecs:ListClusters", "*", {}, Decision::ImplicitDeny},
      {"StringNotEquals denies elsewhere", {kAllowAll, kNotRegion}, "ecs:ListClusters", "*",
       {{"aws:RequestedRegion", {"eu-west-1"}}}, Decision::ExplicitDeny},
      {"StringNotEquals lets the region", {kAllowAll, kNotRegion}, "ecs:ListClusters", "*",
       {{"aws:RequestedRegion", {"us-east-1"}}}, Decision::Allow},
      {"StringLikeIfExists without the key", {kLikeIfExists}, "iam:PassRole", "*", {}, Decision::Allow},
      {"StringLikeIfExists with a match", {kLikeIfExists}, "iam:PassRole", "*",
       {{"iam:PassedToService", {"ecs-tasks.amazonaws.com"}}}, Decision::Allow},
      {"StringLikeIfExists with another", {kLikeIfExists}, "iam:PassRole", "*",
       {{"iam:PassedToService", {"lambda.amazonaws.com"}}}, Decision::ImplicitDeny},
      {"Bool and Numeric both hold", {kSecure}, "s3:GetObject", "*",
       {{"aws:SecureTransport", {"true"}}, {"s3:max-keys", {"5"}}}, Decision::Allow},
      {"Numeric fails", {kSecure}, "s3:GetObject", "*", {{"aws:SecureTransport", {"true"}}, {"s3:max-keys", {"50"}}},
       Decision::ImplicitDeny},
      {"Bool fails", {kSecure}, "s3:GetObject", "*", {{"aws:SecureTransport", {"false"}}, {"s3:max-keys", {"5"}}},
       Decision::ImplicitDeny},
      {"ArnLike matches", {kArnLike}, "ecs:RunTask", "*",
       {{"ecs:cluster", {"arn:aws:ecs:us-east-1:1:cluster/dev-a"}}}, Decision::Allow},
      {"ArnLike mismatch", {kArnLike}, "ecs:RunTask", "*", {{"ecs:cluster", {"arn:aws:ecs:us-east-1:1:cluster/prod"}}},
       Decision::ImplicitDeny},
      {"a document that is not JSON grants nothing", {kNotJson, kEcsRead}, "ecs:ListClusters", "*", {},
       Decision::Allow},
  };
  for (const auto& r : rows) {
    CAPTURE(r.name);
    CHECK(evaluate(r.docs, {r.action, r.resource, r.keys, std::nullopt}) == r.want);
  }
}

TEST_CASE("policy evaluator: wildcards") {
  CHECK(wildcard_match("*", "", false));
  CHECK(wildcard_match("a*b*c", "axxbyyc", false));
  CHECK_FALSE(wildcard_match("a*b*c", "axxbyy", false));
  CHECK(wildcard_match("a?c", "abc", false));
  CHECK_FALSE(wildcard_match("a?c", "ac", false));
  CHECK(wildcard_match("ECS:*", "ecs:ListClusters", true));
  CHECK_FALSE(wildcard_match("ECS:*", "ecs:ListClusters", false));
}

TEST_CASE("policy syntax: what IAM refuses as MalformedPolicyDocument") {
  CHECK(policy_syntax_error("nope") == "This policy contains invalid Json");
  CHECK(policy_syntax_error("[1]") == "This policy contains invalid Json");
  CHECK(policy_syntax_error(R"({"Version":"2012-10-17"})") == "Syntax errors in policy.");
  CHECK(policy_syntax_error(R"({"Statement":[{"Effect":"Maybe","Action":"*"}]})") == "Syntax errors in policy.");
  CHECK(policy_syntax_error(R"({"Statement":[{"Effect":"Allow"}]})") == "Policy statement must contain actions.");
  CHECK_FALSE(policy_syntax_error(kEcsRead));
  CHECK_FALSE(policy_syntax_error(kDenyDelete));
}

TEST_CASE("AWS managed policies: every document is valid, ARNs resolve, the execution role policy grants pulls") {
  for (const auto& p : aws_managed_policies()) {
    CAPTURE(p.name);
    CHECK_FALSE(policy_syntax_error(p.document));
    CHECK(aws_managed_policy(arn_of(p)) == &p);
    CHECK(p.policy_id.size() == 21);
    CHECK(p.policy_id.starts_with("ANPA"));
  }
  const auto* exec = aws_managed_policy("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy");
  REQUIRE(exec);
  CHECK(evaluate({exec->document}, {"ecr:BatchGetImage", "*", {}, std::nullopt}) == Decision::Allow);
  CHECK(evaluate({exec->document}, {"ecs:ListClusters", "*", {}, std::nullopt}) == Decision::ImplicitDeny);
  const auto* full = aws_managed_policy("arn:aws:iam::aws:policy/AmazonECS_FullAccess");
  REQUIRE(full);
  CHECK(evaluate({full->document}, {"ecs:ListClusters", "*", {}, std::nullopt}) == Decision::Allow);
  CHECK_FALSE(aws_managed_policy("arn:aws:iam::aws:policy/NoSuchPolicy"));
}
