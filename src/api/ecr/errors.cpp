#include "api/ecr/errors.h"

namespace berth::api::ecr::errors {
namespace {
std::string s(std::string_view v) { return std::string(v); }
}

AwsError repository_not_found(std::string_view name, std::string_view registry_id) {
  return AwsError::client("RepositoryNotFoundException", "The repository with name '" + s(name) +
                                                             "' does not exist in the registry with id '" +
                                                             s(registry_id) + "'");
}
AwsError repository_already_exists(std::string_view name, std::string_view registry_id) {
  return AwsError::client("RepositoryAlreadyExistsException", "The repository with name '" + s(name) +
                                                                  "' already exists in the registry with id '" +
                                                                  s(registry_id) + "'");
}
AwsError repository_not_empty(std::string_view name, std::string_view registry_id) {
  return AwsError::client("RepositoryNotEmptyException",
                          "The repository with name '" + s(name) + "' in registry with id '" + s(registry_id) +
                              "' cannot be deleted because it still contains images");
}
AwsError image_not_found(std::string_view detail, std::string_view name, std::string_view registry_id) {
  return AwsError::client("ImageNotFoundException", "The image with imageId " + s(detail) +
                                                        " does not exist within the repository with name '" +
                                                        s(name) + "' in the registry with id '" + s(registry_id) + "'");
}
AwsError image_already_exists(std::string_view digest, std::string_view tag, std::string_view name,
                              std::string_view registry_id) {
  return AwsError::client("ImageAlreadyExistsException",
                          "Image with digest '" + s(digest) + "' and tag '" + s(tag) +
                              "' already exists in the repository with name '" + s(name) + "' in registry with id '" +
                              s(registry_id) + "'");
}
AwsError image_tag_already_exists(std::string_view tag, std::string_view name) {
  return AwsError::client("ImageTagAlreadyExistsException",
                          "The image tag '" + s(tag) + "' already exists in the '" + s(name) +
                              "' repository and cannot be overwritten because the repository is immutable.");
}
AwsError layers_not_found(std::string_view digests, std::string_view name, std::string_view registry_id) {
  return AwsError::client("LayersNotFoundException",
                          "Layers with digests '[" + s(digests) + "]' required for pushing image into repository with name '" +
                              s(name) + "' in registry with id '" + s(registry_id) + "' do not exist");
}
AwsError invalid_parameter(std::string message) {
  return AwsError::client("InvalidParameterException", std::move(message));
}
AwsError upload_not_found(std::string_view upload_id, std::string_view name, std::string_view registry_id) {
  return AwsError::client("UploadNotFoundException", "Upload with id '" + s(upload_id) +
                                                         "' does not exist in the repository with name '" + s(name) +
                                                         "' in the registry with id '" + s(registry_id) + "'");
}

}  // namespace berth::api::ecr::errors

// Policies, lifecycle and tagging.
namespace berth::api::ecr::errors {
AwsError repository_policy_not_found(std::string_view name, std::string_view registry_id) {
  return AwsError::client("RepositoryPolicyNotFoundException",
                          "Repository policy does not exist for the repository with name '" + std::string(name) +
                              "' in the registry with id '" + std::string(registry_id) + "'");
}
AwsError lifecycle_policy_not_found(std::string_view name, std::string_view registry_id) {
  return AwsError::client("LifecyclePolicyNotFoundException",
                          "Lifecycle policy does not exist for the repository with name '" + std::string(name) +
                              "' in the registry with id '" + std::string(registry_id) + "'");
}
AwsError lifecycle_preview_not_found(std::string_view name, std::string_view registry_id) {
  return AwsError::client("LifecyclePolicyPreviewNotFoundException",
                          "Lifecycle policy preview does not exist for the repository with name '" +
                              std::string(name) + "' in the registry with id '" + std::string(registry_id) + "'");
}
AwsError invalid_tag_parameter(std::string message) {
  return AwsError::client("InvalidTagParameterException", std::move(message));
}
AwsError too_many_tags(std::string message) { return AwsError::client("TooManyTagsException", std::move(message)); }
}  // namespace berth::api::ecr::errors

// Registry-wide settings.
namespace berth::api::ecr::errors {
AwsError registry_policy_not_found(std::string_view registry_id) {
  return AwsError::client("RegistryPolicyNotFoundException",
                          "Registry policy does not exist in the registry with id '" + std::string(registry_id) + "'");
}
AwsError scan_not_found(std::string_view image_id, std::string_view name, std::string_view registry_id) {
  return AwsError::client("ScanNotFoundException", "Image scan does not exist for the image with '" +
                                                       std::string(image_id) + "' in the repository with name '" +
                                                       std::string(name) + "' in the registry with id '" +
                                                       std::string(registry_id) + "'");
}
AwsError scan_quota_exceeded() {
  return AwsError::client("LimitExceededException", "The scan quota per image has been exceeded. Wait and try again.");
}
AwsError pull_through_rule_not_found(std::string_view prefix, std::string_view registry_id) {
  return AwsError::client("PullThroughCacheRuleNotFoundException",
                          "The pull through cache rule with Amazon ECR repository prefix '" + std::string(prefix) +
                              "' does not exist in the registry with id '" + std::string(registry_id) + "'");
}
AwsError pull_through_rule_exists(std::string_view prefix, std::string_view registry_id) {
  return AwsError::client("PullThroughCacheRuleAlreadyExistsException",
                          "The pull through cache rule with Amazon ECR repository prefix '" + std::string(prefix) +
                              "' already exists in the registry with id '" + std::string(registry_id) + "'");
}
AwsError template_not_found(std::string_view prefix, std::string_view registry_id) {
  return AwsError::client("TemplateNotFoundException", "The repository creation template with the prefix '" +
                                                           std::string(prefix) +
                                                           "' does not exist in the registry with id '" +
                                                           std::string(registry_id) + "'");
}
AwsError template_exists(std::string_view prefix, std::string_view registry_id) {
  return AwsError::client("TemplateAlreadyExistsException", "The repository creation template with the prefix '" +
                                                                std::string(prefix) +
                                                                "' already exists in the registry with id '" +
                                                                std::string(registry_id) + "'");
}
}  // namespace berth::api::ecr::errors
