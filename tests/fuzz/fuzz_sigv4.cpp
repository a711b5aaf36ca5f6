// SigV4 as berth reads it from a request: the Authorization header, or a presigned target's
// X-Amz-* query parameters. Input: target, Authorization value, X-Amz-Date value and body, split
// at the first three newlines. No crash; a parsed signature can be checked against a secret.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/sigv4.h"

using namespace berth::api;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    auto nl = in.find('\n');
    parts[i] = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  }
  parts[3] = in;
  sigv4::Request r;
  r.method = "POST";
  r.target = parts[0];
  r.headers = {{"Host", "localhost:4566"}, {"Content-Type", "application/x-amz-json-1.1"}};
  if (!parts[1].empty()) r.headers.emplace_back("Authorization", std::string(parts[1]));
  if (!parts[2].empty()) r.headers.emplace_back("X-Amz-Date", std::string(parts[2]));
  r.body = parts[3];
  bool malformed = false;
  auto sig = sigv4::parse(r, &malformed);
  (void)sigv4::parse_amz_date(parts[2]);
  if (!sig) {
    (void)sigv4::error_for(malformed ? sigv4::Check::Malformed : sigv4::Check::Missing, size % 2, nullptr, 0);
    return 0;
  }
  (void)sigv4::canonical_request(r, *sig);
  auto c = sigv4::verify(r, *sig, "test", 1700000000000);
  (void)sigv4::error_for(c, size % 2, &*sig, 1700000000000);
  return 0;
}
