#pragma once
// Identifiers in the formats AWS uses.
#include <string>

namespace berth::ids {

std::string uuid_v4();          // request ids, e.g. "8f7c1f0e-3f0a-4c8b-9a0d-2a5e6c1d7b3e"
std::string hex32();            // ECS task ids: 32 lowercase hex digits
bool is_twelve_digits(std::string_view s);
// IAM's unique ids and access key ids: a four-letter prefix (AROA role, ANPA policy, AIPA
// instance profile, ASIA temporary key) then `n` characters of A-Z and 2-7.
std::string aws_unique_id(std::string_view prefix, int n);

}  // namespace berth::ids
