#pragma once
// What a task fetches from other AWS services as it starts: Secrets Manager secrets and SSM
// parameters (a container's `secrets`), private registry credentials (`repositoryCredentials`)
// and environment files in S3 (`environmentFiles`). berth serves none of those services, so a
// JSON file given with --secrets-file stands in for them, mapping what the task definition
// names to its value:
//   {"arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf": "{\"password\":\"pw\"}",
//    "/app/api-key": "k", "arn:aws:s3:::bucket/app.env": "A=1\nB=2"}
// The file is read at each task start, so edits apply to the next task without a restart.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace berth::runtime {

class SecretValues {
 public:
  explicit SecretValues(std::string path = {}) : path_(std::move(path)) {}

  // A secret's value as ECS resolves its valueFrom: an SSM parameter by name or ARN, or a
  // Secrets Manager secret by ARN, optionally narrowed to one JSON key
  // (ARN:json-key:version-stage:version-id, as ECS takes it). Empty when berth has none.
  std::optional<std::string> secret(const std::string& value_from) const;
  // The variables of an S3 environment file (KEY=VALUE lines; # comments and blank lines skipped).
  std::optional<std::vector<std::pair<std::string, std::string>>> environment_file(const std::string& arn) const;

  // ECS's stop reasons when a value cannot be had.
  static std::string secret_missing(const std::string& value_from);
  static std::string registry_auth_missing(const std::string& value_from);
  static std::string environment_file_missing(const std::string& arn);

 private:
  std::optional<std::string> lookup(const std::string& key) const;
  std::string path_;
};

}  // namespace berth::runtime
