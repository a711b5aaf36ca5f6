// Trust policies (AssumeRolePolicyDocument) as STS evaluates them for AssumeRole: who the
// Principal names, NotPrincipal, explicit Deny, and the condition keys of the call.
#include <doctest/doctest.h>

#include "iam/trust_policy.h"

using namespace berth::iam;

namespace {
constexpr const char* kRole = "arn:aws:iam::111111111111:role/app";
constexpr const char* kEcsTasks =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kAccountRoot =
    R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kAccountId =
    R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":["222222222222","111111111111"]},"Action":"sts:*"}]})";
constexpr const char* kOneRole =
    R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kAnyone = R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]})";
constexpr const char* kNoPrincipal = R"({"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]})";
constexpr const char* kWrongAction =
    R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:TagSession"}]})";
constexpr const char* kDenyCi =
    R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},
                     {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:role/ci"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kDenyAllButRoot =
    R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},
                     {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kExternalId =
    R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"s3cret"}}}]})";
constexpr const char* kSourceAccount =
    R"({"Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole",
        "Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"},"ArnLike":{"aws:SourceArn":"arn:aws:ecs:*:111111111111:*"}}}]})";
constexpr const char* kPrincipalArnLike =
    R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ci-*"}}}]})";

PrincipalRef root() { return aws_principal("111111111111", "arn:aws:iam::111111111111:root"); }
PrincipalRef other_root() { return aws_principal("222222222222", "arn:aws:iam::222222222222:root"); }
PrincipalRef ci_session() {
  return aws_principal("111111111111", "arn:aws:sts::111111111111:assumed-role/ci/build-7",
                       std::string_view("arn:aws:iam::111111111111:role/ci"));
}
PrincipalRef ecs() { return service_principal("ecs-tasks.amazonaws.com"); }
}  // namespace

TEST_CASE("trust policies name the principals that may assume a role") {
  CHECK(trust_allows(kEcsTasks, ecs(), kRole));
  CHECK_FALSE(trust_allows(kEcsTasks, root(), kRole));
  CHECK_FALSE(trust_allows(kEcsTasks, service_principal("lambda.amazonaws.com"), kRole));

  CHECK(trust_allows(kAccountRoot, root(), kRole));
  CHECK(trust_allows(kAccountRoot, ci_session(), kRole));  // the account root trusts the whole account
  CHECK_FALSE(trust_allows(kAccountRoot, other_root(), kRole));
  CHECK_FALSE(trust_allows(kAccountRoot, ecs(), kRole));  // a service is no AWS principal

  CHECK(trust_allows(kAccountId, other_root(), kRole));
  CHECK(trust_allows(kOneRole, ci_session(), kRole));
  CHECK_FALSE(trust_allows(kOneRole, root(), kRole));
  CHECK(trust_allows(kAnyone, ecs(), kRole));
  CHECK_FALSE(trust_allows(kNoPrincipal, root(), kRole));
  CHECK_FALSE(trust_allows(kWrongAction, root(), kRole));
  CHECK_FALSE(trust_allows("{not json", root(), kRole));
}

TEST_CASE("an explicit Deny and NotPrincipal refuse whom they name") {
  CHECK(trust_allows(kDenyCi, root(), kRole));
  CHECK_FALSE(trust_allows(kDenyCi, ci_session(), kRole));
  CHECK(trust_allows(kDenyAllButRoot, root(), kRole));
  CHECK_FALSE(trust_allows(kDenyAllButRoot, other_root(), kRole));
}

TEST_CASE("trust conditions see the call's keys and the caller's") {
  CHECK(trust_allows(kExternalId, root(), kRole, {{"sts:ExternalId", {"s3cret"}}}));
  CHECK_FALSE(trust_allows(kExternalId, root(), kRole, {{"sts:ExternalId", {"guess"}}}));
  CHECK_FALSE(trust_allows(kExternalId, root(), kRole));
  std::map<std::string, std::vector<std::string>> ecs_keys{
      {"aws:SourceAccount", {"111111111111"}}, {"aws:SourceArn", {"arn:aws:ecs:us-east-1:111111111111:cluster/default"}}};
  CHECK(trust_allows(kSourceAccount, ecs(), kRole, ecs_keys));
  ecs_keys["aws:SourceAccount"] = {"222222222222"};
  CHECK_FALSE(trust_allows(kSourceAccount, ecs(), kRole, ecs_keys));
  CHECK(trust_allows(kPrincipalArnLike,
                     aws_principal("111111111111", "arn:aws:sts::111111111111:assumed-role/ci-deploy/s",
                                   std::string_view("arn:aws:iam::111111111111:role/ci-deploy")),
                     kRole));
  CHECK_FALSE(trust_allows(kPrincipalArnLike, root(), kRole));
}
