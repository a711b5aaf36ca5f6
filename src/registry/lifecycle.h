#pragma once
// ECR lifecycle policies: parsing and checking the policy document, and deciding which images
// it expires. Pure rules (no database, no files), shared by the preview operations and the
// job that applies policies for real.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace berth::registry::lifecycle {

enum class TagStatus { Tagged, Untagged, Any };
enum class CountType { ImageCountMoreThan, SinceImagePushed };

struct Rule {
  std::int64_t priority = 0;
  std::string description;
  TagStatus tag_status = TagStatus::Any;
  std::vector<std::string> tag_prefixes;  // tagPrefixList
  std::vector<std::string> tag_patterns;  // tagPatternList, '*' matches any run of characters
  CountType count_type = CountType::ImageCountMoreThan;
  std::int64_t count_number = 0;  // images to keep, or days since push
};

struct Policy {
  std::vector<Rule> rules;  // sorted by priority, lowest (applied first) first
};

// Parses and checks a lifecycle policy document as ECR does. On failure returns the reason,
// worded for ECR's "Lifecycle policy validation failure: ..." message.
std::variant<Policy, std::string> parse_policy(std::string_view text);

struct Image {
  std::string digest;
  std::vector<std::string> tags;
  std::int64_t pushed_at = 0;  // epoch millis
};

struct Expiry {
  std::size_t image = 0;       // index into the images given to evaluate()
  std::int64_t rule_priority = 0;
};

// The images the policy expires at `now` (epoch millis), ordered by rule priority then oldest
// first. ECR's evaluation rules:
//  - every rule sees every image (an image expired by an earlier rule still counts toward a
//    later rule's imageCountMoreThan: "identified as if it had not been expired");
//  - an image is expired by at most one rule, and an image that a rule selects by its tag
//    requirements cannot be expired by any rule of lower priority (a "keep the newest 5 prod*"
//    rule protects those 5 from a later "any" rule);
//  - imageCountMoreThan N keeps the N most recently pushed selected images and expires the rest;
//    sinceImagePushed N expires selected images pushed more than N days before `now`.
std::vector<Expiry> evaluate(const Policy& policy, const std::vector<Image>& images, std::int64_t now);

// Whether a rule's tag requirements select an image with these tags.
bool selects(const Rule& rule, const std::vector<std::string>& tags);
// Whether `tag` matches a tagPatternList entry ('*' matches any run, including an empty one).
bool matches_pattern(std::string_view tag, std::string_view pattern);

}  // namespace berth::registry::lifecycle
