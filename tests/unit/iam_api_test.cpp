// IAM and STS handlers through the real dispatcher over the query protocol (forms in, XML
// out): the tutorial's role flow, policies and versions, instance profiles, paging, every error
// with IAM's code, status and text, and --enforce-iam's decision for a role session.
#include <doctest/doctest.h>

#include "dispatch_harness.h"
#include "api/authorization.h"
#include "api/iam/roles.h"

using berth::test::DispatchHarness;

namespace {
constexpr const char* kTrust =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kExecPolicy = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

// IAM's wire codes; the model lists its errors by shape name (NoSuchEntityException).
const std::set<std::string> kIamCodes = {"NoSuchEntity",  "EntityAlreadyExists", "DeleteConflict",
                                         "MalformedPolicyDocument", "InvalidInput", "LimitExceeded",
                                         "PolicyNotAttachable", "UnmodifiableEntity", "AccessDenied",
                                         "ValidationError"};

DispatchHarness harness(const char* service = "iam") { return DispatchHarness(service, kIamCodes, 1'700'000'000'000); }

std::string create_role_body(const std::string& name, const std::string& extra = "") {
  rapidjson::StringBuffer b;
  berth::json::Writer w(b);
  w.StartObject();
  berth::json::kv(w, "RoleName", name);
  berth::json::kv(w, "AssumeRolePolicyDocument", kTrust);
  w.EndObject();
  std::string s = b.GetString();
  if (!extra.empty()) s = s.substr(0, s.size() - 1) + "," + extra + "}";
  return s;
}
}  // namespace

TEST_CASE("iam: the tutorial's execution role: create, attach, get, list, detach, delete") {
  auto h = harness();
  auto created = h.ok("CreateRole", create_role_body("ecsTaskExecutionRole"));
  const auto& role = created.body["Role"];
  CHECK(std::string(role["Arn"].GetString()) == "arn:aws:iam::000000000000:role/ecsTaskExecutionRole");
  std::string id = role["RoleId"].GetString();
  CHECK(id.size() == 21);
  CHECK(id.starts_with("AROA"));
  CHECK(std::string(role["CreateDate"].GetString()) == "2023-11-14T22:13:20Z");
  CHECK(role["MaxSessionDuration"].GetInt() == 3600);
  // The document comes back URL-encoded, as IAM sends it.
  CHECK(std::string(role["AssumeRolePolicyDocument"].GetString()).starts_with("%7B%22Version%22%3A%222012-10-17%22"));

  h.ok("AttachRolePolicy", std::string(R"({"RoleName":"ecsTaskExecutionRole","PolicyArn":")") + kExecPolicy + "\"}");
  auto got = h.ok("GetRole", R"({"RoleName":"ecsTaskExecutionRole"})");
  CHECK(std::string(got.body["Role"]["RoleId"].GetString()) == id);
  auto attached = h.ok("ListAttachedRolePolicies", R"({"RoleName":"ecsTaskExecutionRole"})");
  REQUIRE(attached.body["AttachedPolicies"].Size() == 1);
  CHECK(std::string(attached.body["AttachedPolicies"][0]["PolicyName"].GetString()) ==
        "AmazonECSTaskExecutionRolePolicy");
  CHECK(std::string(attached.body["AttachedPolicies"][0]["PolicyArn"].GetString()) == kExecPolicy);
  auto policy = h.ok("GetPolicy", std::string(R"({"PolicyArn":")") + kExecPolicy + "\"}");
  CHECK(policy.body["Policy"]["AttachmentCount"].GetInt() == 1);

  auto conflict = h.call("DeleteRole", R"({"RoleName":"ecsTaskExecutionRole"})");
  CHECK(conflict.status == 409);
  CHECK(conflict.code() == "DeleteConflict");
  CHECK(conflict.message() == "Cannot delete entity, must detach all policies first.");

  h.ok("DetachRolePolicy", std::string(R"({"RoleName":"ecsTaskExecutionRole","PolicyArn":")") + kExecPolicy + "\"}");
  h.ok("DeleteRole", R"({"RoleName":"ecsTaskExecutionRole"})");
  auto gone = h.call("GetRole", R"({"RoleName":"ecsTaskExecutionRole"})");
  CHECK(gone.status == 404);
  CHECK(gone.code() == "NoSuchEntity");
  CHECK(gone.message() == "The role with name ecsTaskExecutionRole cannot be found.");
}

TEST_CASE("iam: role errors: duplicate (any case), malformed trust, unknown policy, limits, inline policies") {
  auto h = harness();
  h.ok("CreateRole", create_role_body("app", R"("Path":"/team/","Tags":[{"Key":"k","Value":"v"}])"));
  auto dup = h.call("CreateRole", create_role_body("APP"));
  CHECK(dup.status == 409);
  CHECK(dup.code() == "EntityAlreadyExists");
  CHECK(dup.message() == "Role with name APP already exists.");

  auto bad = h.call("CreateRole", R"({"RoleName":"x","AssumeRolePolicyDocument":"not json"})");
  CHECK(bad.code() == "MalformedPolicyDocument");
  CHECK(bad.status == 400);
  auto no_stmt = h.call("CreateRole", R"({"RoleName":"x","AssumeRolePolicyDocument":"{\"Version\":\"2012-10-17\"}"})");
  CHECK(no_stmt.code() == "MalformedPolicyDocument");
  CHECK(h.call("GetRole", R"({"RoleName":"x"})").status == 404);  // nothing half-made

  auto unknown = h.call("AttachRolePolicy", R"({"RoleName":"app","PolicyArn":"arn:aws:iam::aws:policy/Nope"})");
  CHECK(unknown.code() == "NoSuchEntity");
  CHECK(unknown.message() == "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.");
  auto slr = h.call("AttachRolePolicy",
                    R"({"RoleName":"app","PolicyArn":"arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"})");
  CHECK(slr.code() == "PolicyNotAttachable");

  // Ten managed policies per role.
  for (int i = 0; i < 10; ++i)
    h.ok("CreatePolicy", "{\"PolicyName\":\"p" + std::to_string(i) +
                             R"(","PolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ecs:*\",\"Resource\":\"*\"}]}"})");
  for (int i = 0; i < 10; ++i)
    h.ok("AttachRolePolicy", "{\"RoleName\":\"app\",\"PolicyArn\":\"arn:aws:iam::000000000000:policy/p" +
                                 std::to_string(i) + "\"}");
  auto limit = h.call("AttachRolePolicy", std::string(R"({"RoleName":"app","PolicyArn":")") + kExecPolicy + "\"}");
  CHECK(limit.status == 409);
  CHECK(limit.code() == "LimitExceeded");
  auto attached_policy = h.call("DeletePolicy", R"({"PolicyArn":"arn:aws:iam::000000000000:policy/p0"})");
  CHECK(attached_policy.code() == "DeleteConflict");

  h.ok("PutRolePolicy",
       R"({"RoleName":"app","PolicyName":"inline","PolicyDocument":"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"logs:*\",\"Resource\":\"*\"}}"})");
  auto inline_doc = h.ok("GetRolePolicy", R"({"RoleName":"app","PolicyName":"inline"})");
  CHECK(std::string(inline_doc.body["PolicyDocument"].GetString()).starts_with("%7B%22Statement%22"));
  CHECK(h.ok("ListRolePolicies", R"({"RoleName":"app"})").body["PolicyNames"].Size() == 1);
  auto missing = h.call("GetRolePolicy", R"({"RoleName":"app","PolicyName":"other"})");
  CHECK(missing.code() == "NoSuchEntity");
  CHECK(missing.message() == "The role policy with name other cannot be found.");
  for (int i = 0; i < 10; ++i)
    h.ok("DetachRolePolicy", "{\"RoleName\":\"app\",\"PolicyArn\":\"arn:aws:iam::000000000000:policy/p" +
                                 std::to_string(i) + "\"}");
  auto inline_conflict = h.call("DeleteRole", R"({"RoleName":"app"})");
  CHECK(inline_conflict.message() == "Cannot delete entity, must delete policies first.");
  h.ok("DeleteRolePolicy", R"({"RoleName":"app","PolicyName":"inline"})");
  auto tags = h.ok("ListRoleTags", R"({"RoleName":"app"})");
  REQUIRE(tags.body["Tags"].Size() == 1);
  h.ok("DeleteRole", R"({"RoleName":"app"})");
}

TEST_CASE("iam: ListRoles pages with Marker and filters by path prefix") {
  auto h = harness();
  for (const char* n : {"a", "b", "c", "d", "e"}) h.ok("CreateRole", create_role_body(n));
  h.ok("CreateRole", create_role_body("svc", R"("Path":"/service/")"));
  auto first = h.ok("ListRoles", R"({"MaxItems":2})");
  CHECK(first.body["Roles"].Size() == 2);
  CHECK(first.body["IsTruncated"].GetBool());
  std::string marker = first.body["Marker"].GetString();
  auto second = h.ok("ListRoles", "{\"MaxItems\":10,\"Marker\":\"" + marker + "\"}");
  CHECK(second.body["Roles"].Size() == 4);
  CHECK(std::string(second.body["Roles"][0]["RoleName"].GetString()) == "c");
  CHECK_FALSE(second.body["IsTruncated"].GetBool());
  CHECK_FALSE(second.body.HasMember("Marker"));
  auto svc = h.ok("ListRoles", R"({"PathPrefix":"/service/"})");
  REQUIRE(svc.body["Roles"].Size() == 1);
  CHECK(std::string(svc.body["Roles"][0]["Arn"].GetString()) == "arn:aws:iam::000000000000:role/service/svc");
  CHECK(h.call("ListRoles", R"({"Marker":"garbage"})").code() == "InvalidInput");
}

TEST_CASE("iam: managed policies, versions, scopes") {
  auto h = harness();
  std::string doc = R"({\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ecs:*\",\"Resource\":\"*\"}]})";
  auto created = h.ok("CreatePolicy", "{\"PolicyName\":\"mine\",\"Path\":\"/x/\",\"PolicyDocument\":\"" + doc + "\"}");
  std::string arn = created.body["Policy"]["Arn"].GetString();
  CHECK(arn == "arn:aws:iam::000000000000:policy/x/mine");
  CHECK(std::string(created.body["Policy"]["DefaultVersionId"].GetString()) == "v1");
  CHECK(h.call("CreatePolicy", "{\"PolicyName\":\"mine\",\"PolicyDocument\":\"" + doc + "\"}").code() ==
        "EntityAlreadyExists");
  for (int i = 2; i <= 5; ++i)
    h.ok("CreatePolicyVersion", "{\"PolicyArn\":\"" + arn + "\",\"PolicyDocument\":\"" + doc + "\",\"SetAsDefault\":true}");
  auto sixth = h.call("CreatePolicyVersion", "{\"PolicyArn\":\"" + arn + "\",\"PolicyDocument\":\"" + doc + "\"}");
  CHECK(sixth.code() == "LimitExceeded");
  CHECK(std::string(h.ok("GetPolicy", "{\"PolicyArn\":\"" + arn + "\"}").body["Policy"]["DefaultVersionId"].GetString()) ==
        "v5");
  auto v1 = h.ok("GetPolicyVersion", "{\"PolicyArn\":\"" + arn + "\",\"VersionId\":\"v1\"}");
  CHECK_FALSE(v1.body["PolicyVersion"]["IsDefaultVersion"].GetBool());
  CHECK(h.call("DeletePolicyVersion", "{\"PolicyArn\":\"" + arn + "\",\"VersionId\":\"v5\"}").code() == "DeleteConflict");
  CHECK(h.ok("ListPolicyVersions", "{\"PolicyArn\":\"" + arn + "\"}").body["Versions"].Size() == 5);

  auto local = h.ok("ListPolicies", R"({"Scope":"Local"})");
  REQUIRE(local.body["Policies"].Size() == 1);
  auto aws = h.ok("ListPolicies", R"({"Scope":"AWS","MaxItems":1000})");
  bool has_exec = false;
  for (const auto& p : aws.body["Policies"].GetArray())
    has_exec |= std::string(p["PolicyName"].GetString()) == "AmazonECSTaskExecutionRolePolicy";
  CHECK(has_exec);
  CHECK(h.ok("ListPolicies", R"({"OnlyAttached":true})").body["Policies"].Size() == 0);
  auto aws_doc = h.ok("GetPolicyVersion", std::string(R"({"PolicyArn":")") + kExecPolicy + R"(","VersionId":"v1"})");
  CHECK(std::string(aws_doc.body["PolicyVersion"]["Document"].GetString()).find("ecr%3ABatchGetImage") !=
        std::string::npos);
  auto missing = h.call("GetPolicy", R"({"PolicyArn":"arn:aws:iam::000000000000:policy/none"})");
  CHECK(missing.status == 404);
  CHECK(missing.message() == "Policy arn:aws:iam::000000000000:policy/none was not found.");
}

TEST_CASE("iam: instance profiles hold one role and block deleting it") {
  auto h = harness();
  h.ok("CreateRole", create_role_body("ecsInstanceRole"));
  auto p = h.ok("CreateInstanceProfile", R"({"InstanceProfileName":"ecsInstanceRole"})");
  std::string id = p.body["InstanceProfile"]["InstanceProfileId"].GetString();
  CHECK(id.starts_with("AIPA"));
  CHECK(std::string(p.body["InstanceProfile"]["Arn"].GetString()) ==
        "arn:aws:iam::000000000000:instance-profile/ecsInstanceRole");
  CHECK(h.call("CreateInstanceProfile", R"({"InstanceProfileName":"ecsInstanceRole"})").code() == "EntityAlreadyExists");
  h.ok("AddRoleToInstanceProfile", R"({"InstanceProfileName":"ecsInstanceRole","RoleName":"ecsInstanceRole"})");
  CHECK(h.call("AddRoleToInstanceProfile", R"({"InstanceProfileName":"ecsInstanceRole","RoleName":"ecsInstanceRole"})")
            .code() == "LimitExceeded");
  auto got = h.ok("GetInstanceProfile", R"({"InstanceProfileName":"ecsInstanceRole"})");
  REQUIRE(got.body["InstanceProfile"]["Roles"].Size() == 1);
  CHECK(h.call("DeleteRole", R"({"RoleName":"ecsInstanceRole"})").message() ==
        "Cannot delete entity, must remove roles from instance profile first.");
  CHECK(h.call("DeleteInstanceProfile", R"({"InstanceProfileName":"ecsInstanceRole"})").code() == "DeleteConflict");
  CHECK(h.ok("ListInstanceProfilesForRole", R"({"RoleName":"ecsInstanceRole"})").body["InstanceProfiles"].Size() == 1);
  h.ok("RemoveRoleFromInstanceProfile", R"({"InstanceProfileName":"ecsInstanceRole","RoleName":"ecsInstanceRole"})");
  h.ok("DeleteInstanceProfile", R"({"InstanceProfileName":"ecsInstanceRole"})");
  auto gone = h.call("GetInstanceProfile", R"({"InstanceProfileName":"ecsInstanceRole"})");
  CHECK(gone.status == 404);
  CHECK(gone.message() == "Instance Profile ecsInstanceRole cannot be found.");
  h.ok("DeleteRole", R"({"RoleName":"ecsInstanceRole"})");
}

TEST_CASE("iam: the ECS service-linked role appears once and is protected") {
  auto h = harness();
  h.db->write([&](berth::state::Connection& c) {
    berth::api::iam::ensure_service_linked_role(c, "000000000000", 1);
    berth::api::iam::ensure_service_linked_role(c, "000000000000", 2);
    return true;
  });
  auto r = h.ok("GetRole", R"({"RoleName":"AWSServiceRoleForECS"})");
  CHECK(std::string(r.body["Role"]["Arn"].GetString()) ==
        "arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS");
  CHECK(h.call("DeleteRole", R"({"RoleName":"AWSServiceRoleForECS"})").code() == "UnmodifiableEntity");
}

TEST_CASE("sts: caller identity of the account root, AssumeRole against IAM's roles") {
  auto h = harness("sts");
  auto who = h.ok("GetCallerIdentity", "{}");
  CHECK(std::string(who.body["Arn"].GetString()) == "arn:aws:iam::000000000000:root");
  CHECK(std::string(who.body["Account"].GetString()) == "000000000000");
  auto denied = h.call("AssumeRole", R"({"RoleArn":"arn:aws:iam::000000000000:role/none","RoleSessionName":"s1"})");
  CHECK(denied.status == 403);
  CHECK(denied.message() ==
        "User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: "
        "arn:aws:iam::000000000000:role/none");
}

TEST_CASE("enforce-iam: a role session is refused until a policy allows the action; roots never are") {
  auto h = harness();
  h.ok("CreateRole", create_role_body("app"));
  berth::api::Identity session;
  session.account = "000000000000";
  session.arn = "arn:aws:sts::000000000000:assumed-role/app/task1";
  session.role_arn = "arn:aws:iam::000000000000:role/app";
  auto check = [&](const char* action, bool query) {
    std::optional<berth::AwsError> err;
    h.db->read([&](berth::state::Connection& c) { err = berth::api::authorize(c, session, action, "*", query); });
    return err;
  };
  auto denied = check("ecs:ListClusters", false);
  REQUIRE(denied);
  CHECK(denied->code == "AccessDeniedException");
  CHECK(denied->message ==
        "User: arn:aws:sts::000000000000:assumed-role/app/task1 is not authorized to perform: ecs:ListClusters on "
        "resource: * because no identity-based policy allows the ecs:ListClusters action");
  auto query_denied = check("iam:ListRoles", true);
  REQUIRE(query_denied);
  CHECK(query_denied->code == "AccessDenied");
  CHECK(query_denied->http_status == 403);
  h.ok("AttachRolePolicy", R"({"RoleName":"app","PolicyArn":"arn:aws:iam::aws:policy/AmazonECS_FullAccess"})");
  CHECK_FALSE(check("ecs:ListClusters", false));
  h.ok("PutRolePolicy",
       R"({"RoleName":"app","PolicyName":"no","PolicyDocument":"{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"ecs:List*\",\"Resource\":\"*\"}}"})");
  auto explicit_deny = check("ecs:ListClusters", false);
  REQUIRE(explicit_deny);
  CHECK(explicit_deny->message.ends_with("with an explicit deny in an identity-based policy"));
  berth::api::Identity root;
  root.account = "000000000000";
  root.arn = "arn:aws:iam::000000000000:root";
  h.db->read([&](berth::state::Connection& c) { CHECK_FALSE(berth::api::authorize(c, root, "ecs:ListClusters", "*", false)); });
}

TEST_CASE("sts: the credential sweep removes expired minted keys and keeps live ones") {
  auto h = harness("sts");
  h.db->write([&](berth::state::Connection& c) {
    berth::state::StsCredentialStore store(c);
    berth::state::CredentialRow row;
    row.account = "000000000000";
    row.arn = "arn:aws:sts::000000000000:assumed-role/app/old";
    row.user_id = "AROAEXAMPLE:old";
    row.access_key_id = "ASIAOLDOLDOLDOLDOLD1";
    row.expires_at = 1'000;
    store.put(row);
    row.access_key_id = "ASIALIVELIVELIVELIV1";
    row.expires_at = 3'000;
    store.put(row);
    store.remove_expired(2'000);
    CHECK_FALSE(store.get("ASIAOLDOLDOLDOLDOLD1"));
    CHECK(store.get("ASIALIVELIVELIVELIV1"));
    return true;
  });
}
