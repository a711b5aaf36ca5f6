#pragma once
#include <string>
#include <string_view>

namespace berth::api::cloudwatch {
// arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME
std::string alarm_arn(const std::string& region, const std::string& account, std::string_view name);
}  // namespace berth::api::cloudwatch
