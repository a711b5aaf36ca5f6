#pragma once
// ECR errors with the codes and messages real ECR answers with.
#include <string>
#include <string_view>

#include "common/aws_error.h"

namespace berth::api::ecr::errors {

AwsError repository_not_found(std::string_view name, std::string_view registry_id);
AwsError repository_already_exists(std::string_view name, std::string_view registry_id);
AwsError repository_not_empty(std::string_view name, std::string_view registry_id);
AwsError image_not_found(std::string_view detail, std::string_view name, std::string_view registry_id);
AwsError image_already_exists(std::string_view digest, std::string_view tag, std::string_view name,
                              std::string_view registry_id);
AwsError image_tag_already_exists(std::string_view tag, std::string_view name);
AwsError layers_not_found(std::string_view digests, std::string_view name, std::string_view registry_id);
AwsError invalid_parameter(std::string message);
AwsError upload_not_found(std::string_view upload_id, std::string_view name, std::string_view registry_id);

}  // namespace berth::api::ecr::errors

// Policies, lifecycle and tagging (policies.cpp, lifecycle.cpp, tags.cpp).
namespace berth::api::ecr::errors {
AwsError repository_policy_not_found(std::string_view name, std::string_view registry_id);
AwsError lifecycle_policy_not_found(std::string_view name, std::string_view registry_id);
AwsError lifecycle_preview_not_found(std::string_view name, std::string_view registry_id);
AwsError invalid_tag_parameter(std::string message);
AwsError too_many_tags(std::string message);
}  // namespace berth::api::ecr::errors

// Registry-wide settings (registry_policy.cpp, scanning.cpp, pull_through_cache.cpp,
// creation_templates.cpp). Texts as moto words them, from AWS responses it recorded; not
// checked against AWS here.
namespace berth::api::ecr::errors {
AwsError registry_policy_not_found(std::string_view registry_id);
AwsError scan_not_found(std::string_view image_id, std::string_view name, std::string_view registry_id);
AwsError scan_quota_exceeded();
AwsError pull_through_rule_not_found(std::string_view prefix, std::string_view registry_id);
AwsError pull_through_rule_exists(std::string_view prefix, std::string_view registry_id);
AwsError template_not_found(std::string_view prefix, std::string_view registry_id);
AwsError template_exists(std::string_view prefix, std::string_view registry_id);
}  // namespace berth::api::ecr::errors
