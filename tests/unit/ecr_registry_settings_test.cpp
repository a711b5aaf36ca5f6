// ECR's registry-wide settings: the pure rules (registry_rules.h) and the handlers through the
// dispatcher, each reply checked against the operation's model.
#include <doctest/doctest.h>

#include "api/ecr/registry_rules.h"
#include "dispatch_harness.h"
#include "registry/replication.h"
#include "state/ecr_settings_store.h"

using namespace berth;
using namespace berth::api::ecr;

namespace {
constexpr std::int64_t kStart = 1'700'000'000'000;

struct EcrHarness : berth::test::DispatchHarness {
  EcrHarness() : DispatchHarness("AmazonEC2ContainerRegistry_V20150921", {"ValidationException"}, kStart) {}
};
}  // namespace

TEST_CASE("ecr rules: scan filter wildcards") {
  CHECK(scan_filter_matches("prod-*", "prod-web"));
  CHECK(scan_filter_matches("*", "anything/at/all"));
  CHECK(scan_filter_matches("team/*/api", "team/a/b/api"));
  CHECK(scan_filter_matches("web", "web"));
  CHECK_FALSE(scan_filter_matches("web", "web2"));
  CHECK_FALSE(scan_filter_matches("prod-*", "dev-prod-web"));
  CHECK_FALSE(scan_filter_matches("*-api", "api"));
}

TEST_CASE("ecr rules: pull through cache upstreams") {
  CHECK(upstream_of("public.ecr.aws")->registry == "ecr-public");
  CHECK_FALSE(upstream_of("public.ecr.aws")->needs_credential);
  CHECK(upstream_of("https://registry-1.docker.io/")->registry == "docker-hub");
  CHECK(upstream_of("registry-1.docker.io")->needs_credential);
  CHECK(upstream_of("ghcr.io")->needs_credential);
  CHECK(upstream_of("myreg.azurecr.io")->registry == "azure-container-registry");
  CHECK(upstream_of("123456789012.dkr.ecr.eu-west-1.amazonaws.com")->registry == "ecr");
  CHECK_FALSE(upstream_of("12345678901x.dkr.ecr.eu-west-1.amazonaws.com"));
  CHECK_FALSE(upstream_of("docker.io"));
  CHECK_FALSE(upstream_of(".azurecr.io"));
}

TEST_CASE("ecr rules: resource policy shape") {
  CHECK(valid_resource_policy(R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"ecr:*"}})"));
  CHECK_FALSE(valid_resource_policy(R"({"Statement":[]})"));
  CHECK_FALSE(valid_resource_policy(R"({"Statement":[{"Effect":"Allow","Action":"ecr:*"}]})"));
  CHECK_FALSE(valid_resource_policy("[]"));
}

TEST_CASE("ecr registry policy, replication, scanning configuration and account settings") {
  EcrHarness h;
  auto missing = h.call("GetRegistryPolicy", "{}");
  CHECK(missing.code() == "RegistryPolicyNotFoundException");
  CHECK(missing.message() == "Registry policy does not exist in the registry with id '000000000000'");
  std::string policy = R"({\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ReplicateImage\"}]})";
  h.ok("PutRegistryPolicy", R"({"policyText":")" + policy + "\"}");
  CHECK(h.call("PutRegistryPolicy", R"({"policyText":"{}"})").code() == "InvalidParameterException");
  auto got = h.ok("GetRegistryPolicy", "{}");
  CHECK(std::string(got.body["policyText"].GetString()).find("ReplicateImage") != std::string::npos);
  h.ok("DeleteRegistryPolicy", "{}");
  CHECK(h.call("DeleteRegistryPolicy", "{}").code() == "RegistryPolicyNotFoundException");

  auto same = h.call("PutReplicationConfiguration",
                     R"({"replicationConfiguration":{"rules":[{"destinations":[{"region":"us-east-1","registryId":"000000000000"}]}]}})");
  CHECK(same.code() == "InvalidParameterException");
  h.ok("PutReplicationConfiguration",
       R"({"replicationConfiguration":{"rules":[{"destinations":[{"region":"eu-west-1","registryId":"000000000000"}]}]}})");
  auto reg = h.ok("DescribeRegistry", "{}");
  CHECK(reg.body["replicationConfiguration"]["rules"].Size() == 1);

  auto scanning = h.ok("GetRegistryScanningConfiguration", "{}");
  CHECK(std::string(scanning.body["scanningConfiguration"]["scanType"].GetString()) == "BASIC");
  h.ok("PutRegistryScanningConfiguration",
       R"({"scanType":"ENHANCED","rules":[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]})");
  h.ok("CreateRepository", R"({"repositoryName":"app"})");
  auto repos = h.ok("BatchGetRepositoryScanningConfiguration", R"({"repositoryNames":["app","gone"]})");
  CHECK(std::string(repos.body["scanningConfigurations"][0]["scanFrequency"].GetString()) == "CONTINUOUS_SCAN");
  CHECK(repos.body["failures"].Size() == 1);

  CHECK(std::string(h.ok("GetAccountSetting", R"({"name":"REGISTRY_POLICY_SCOPE"})").body["value"].GetString()) == "V2");
  CHECK(h.call("PutAccountSetting", R"({"name":"REGISTRY_POLICY_SCOPE","value":"V3"})").code() ==
        "InvalidParameterException");
}

TEST_CASE("ecr pull through cache rules and creation templates") {
  EcrHarness h;
  h.ok("CreatePullThroughCacheRule", R"({"ecrRepositoryPrefix":"k8s","upstreamRegistryUrl":"registry.k8s.io"})");
  auto dup = h.call("CreatePullThroughCacheRule", R"({"ecrRepositoryPrefix":"k8s","upstreamRegistryUrl":"quay.io"})");
  CHECK(dup.code() == "PullThroughCacheRuleAlreadyExistsException");
  CHECK(h.call("CreatePullThroughCacheRule", R"({"ecrRepositoryPrefix":"gh","upstreamRegistryUrl":"ghcr.io"})").code() ==
        "InvalidParameterException");
  auto mismatch = h.call("CreatePullThroughCacheRule",
                         R"({"ecrRepositoryPrefix":"q","upstreamRegistryUrl":"quay.io","upstreamRegistry":"k8s"})");
  CHECK(mismatch.code() == "InvalidParameterException");
  auto rules = h.ok("DescribePullThroughCacheRules", "{}");
  REQUIRE(rules.body["pullThroughCacheRules"].Size() == 1);
  CHECK(std::string(rules.body["pullThroughCacheRules"][0]["upstreamRegistry"].GetString()) == "k8s");
  auto valid = h.ok("ValidatePullThroughCacheRule", R"({"ecrRepositoryPrefix":"k8s"})");
  CHECK_FALSE(valid.body["isValid"].GetBool());
  h.ok("DeletePullThroughCacheRule", R"({"ecrRepositoryPrefix":"k8s"})");
  CHECK(h.call("ValidatePullThroughCacheRule", R"({"ecrRepositoryPrefix":"k8s"})").code() ==
        "PullThroughCacheRuleNotFoundException");

  h.ok("CreateRepositoryCreationTemplate", R"({"prefix":"ROOT","appliedFor":["REPLICATION"]})");
  CHECK(h.call("CreateRepositoryCreationTemplate", R"({"prefix":"ROOT","appliedFor":["REPLICATION"]})").code() ==
        "TemplateAlreadyExistsException");
  auto kms = h.call("CreateRepositoryCreationTemplate",
                    R"({"prefix":"t","appliedFor":["REPLICATION"],"encryptionConfiguration":{"encryptionType":"AES256","kmsKey":"arn:aws:kms:us-east-1:000000000000:key/k"}})");
  CHECK(kms.code() == "InvalidParameterException");
  auto updated = h.ok("UpdateRepositoryCreationTemplate", R"({"prefix":"ROOT","imageTagMutability":"IMMUTABLE"})");
  CHECK(std::string(updated.body["repositoryCreationTemplate"]["imageTagMutability"].GetString()) == "IMMUTABLE");
  CHECK(updated.body["repositoryCreationTemplate"]["appliedFor"].Size() == 1);
  CHECK(h.call("UpdateRepositoryCreationTemplate", R"({"prefix":"none"})").code() == "TemplateNotFoundException");
}

TEST_CASE("ecr replication copies a put image to matching destinations, with the template") {
  EcrHarness h;
  h.ok("PutReplicationConfiguration",
       R"({"replicationConfiguration":{"rules":[{"destinations":[{"region":"eu-west-1","registryId":"000000000000"}],)"
       R"("repositoryFilters":[{"filter":"team","filterType":"PREFIX_MATCH"}]}]}})");
  state::Scope east{"000000000000", "us-east-1"}, west{"000000000000", "eu-west-1"};
  std::string blob = "sha256:" + std::string(64, 'a'), digest = "sha256:" + std::string(64, 'b');
  h.db->write([&](state::Connection& c) {
    state::EcrSettingsStore(c, west).put(state::ecr_setting::kCreationTemplate, "ROOT",
                                         R"({"prefix":"ROOT","appliedFor":["REPLICATION"],"imageTagMutability":"IMMUTABLE"})",
                                         kStart);
    state::EcrStore store(c, east);
    for (std::string name : {"team/app", "solo"}) {
      state::RepositoryRow repo;
      repo.name = name;
      repo.arn = "arn:aws:ecr:us-east-1:000000000000:repository/" + name;
      repo.id = store.insert_repository(repo);
      store.add_blob(blob, 10, kStart);
      store.link_blob(repo.id, blob, kStart);
      state::ImageRow img{digest, "application/vnd.oci.image.manifest.v1+json", std::nullopt, "{}", 10, kStart, {}, {}};
      store.put_image(repo.id, img, {blob});
      store.set_tag(repo.id, "v1", digest);
      CHECK(registry::replicate_image(c, east, repo, digest, std::string("v1"), kStart + 1) ==
            (name == "team/app" ? 1 : 0));
    }
    state::EcrStore to(c, west);
    auto copy = to.repository("team/app");
    REQUIRE(copy);
    CHECK(copy->tag_mutability == "IMMUTABLE");
    CHECK(to.tagged(copy->id, "v1") == digest);
    CHECK(to.blob_linked(copy->id, blob));
    CHECK(registry::replicated(c, west, "team/app", digest));
    CHECK_FALSE(to.repository("solo"));
    return true;
  });
}
