#pragma once
// Who is calling and where: read from the SigV4 Authorization header (not verified).
#include <string>
#include <string_view>

namespace berth::api {

struct Caller {
  std::string account;
  std::string region;
  std::string access_key;
  std::string service;  // the credential scope's service (signing name); empty when unsigned
};

// Region from the credential scope; an access key id of exactly 12 digits is the account id
// (test suites isolate themselves that way). Missing parts fall back to the defaults.
Caller caller_from_authorization(std::string_view authorization, std::string_view default_account,
                                 std::string_view default_region);

}  // namespace berth::api
