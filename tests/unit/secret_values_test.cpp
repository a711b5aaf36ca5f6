// SecretValues over a real file: how valueFrom names resolve, and ECS's reasons when they don't.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "runtime/secret_values.h"

using berth::runtime::SecretValues;

namespace {
std::string write_file(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("berth-secrets-" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST_CASE("secret values resolve SSM names and ARNs, Secrets Manager ARNs and their JSON keys") {
  const std::string sm = "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf";
  auto path = write_file(R"({")" + sm + R"(": "{\"password\":\"pw\",\"port\":5432}",
      "/app/key": "k1", "plain": "p1", "arn:aws:s3:::bucket/app.env": "# comment\nA=1\n\nB=x=y\r\nbad\n", "n": 5})");
  SecretValues values(path);
  CHECK(values.secret(sm) == "{\"password\":\"pw\",\"port\":5432}");
  CHECK(values.secret(sm + ":password::") == "pw");
  CHECK(values.secret(sm + ":port::") == "5432");
  CHECK_FALSE(values.secret(sm + ":user::").has_value());
  CHECK(values.secret("/app/key") == "k1");
  CHECK(values.secret("arn:aws:ssm:us-east-1:000000000000:parameter/app/key") == "k1");
  CHECK(values.secret("arn:aws:ssm:us-east-1:000000000000:parameter/plain") == "p1");  // a name without '/'
  CHECK(values.secret("plain") == "p1");
  CHECK_FALSE(values.secret("n").has_value());  // only strings are values
  CHECK_FALSE(values.secret("/other").has_value());
  auto vars = values.environment_file("arn:aws:s3:::bucket/app.env");
  REQUIRE(vars.has_value());
  CHECK(*vars == std::vector<std::pair<std::string, std::string>>{{"A", "1"}, {"B", "x=y"}});
  CHECK_FALSE(values.environment_file("arn:aws:s3:::bucket/none.env").has_value());
  std::filesystem::remove(path);
  CHECK_FALSE(values.secret("/app/key").has_value());  // read at each use: a removed file gives nothing
}

TEST_CASE("without a secrets file nothing resolves, and the reasons read as ECS's") {
  SecretValues none;
  CHECK_FALSE(none.secret("/app/key").has_value());
  CHECK(SecretValues::secret_missing("/app/key").starts_with(
      "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
      "unable to retrieve secrets from ssm"));
  CHECK(SecretValues::secret_missing("arn:aws:secretsmanager:us-east-1:1:secret:x").find("unable to retrieve secret from asm") !=
        std::string::npos);
  CHECK(SecretValues::registry_auth_missing("arn:x").find("unable to get registry auth from asm") != std::string::npos);
  CHECK(SecretValues::environment_file_missing("arn:aws:s3:::b/f").starts_with(
      "ResourceInitializationError: failed to download env files"));
}
