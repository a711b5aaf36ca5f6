#include "api/request_context.h"

#include "common/ids.h"

namespace berth::api {

Caller caller_from_authorization(std::string_view auth, std::string_view default_account,
                                 std::string_view default_region) {
  Caller c{std::string(default_account), std::string(default_region), {}, {}};
  // AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ecs/aws4_request, SignedHeaders=..., Signature=...
  auto pos = auth.find("Credential=");
  if (pos == std::string_view::npos) return c;
  std::string_view cred = auth.substr(pos + 11);
  cred = cred.substr(0, cred.find_first_of(", "));
  std::string_view parts[5];
  int n = 0;
  while (n < 5) {
    auto slash = cred.find('/');
    parts[n++] = cred.substr(0, slash);
    if (slash == std::string_view::npos) break;
    cred.remove_prefix(slash + 1);
  }
  if (n >= 1) c.access_key = std::string(parts[0]);
  if (n >= 3 && !parts[2].empty()) c.region = std::string(parts[2]);
  if (n >= 4) c.service = std::string(parts[3]);
  if (ids::is_twelve_digits(c.access_key)) c.account = c.access_key;
  return c;
}

}  // namespace berth::api
