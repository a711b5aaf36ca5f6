#pragma once
// AWS Signature Version 4: reads the signature a request carries (Authorization header or a
// presigned URL's X-Amz-* query parameters) and checks it against the secret of its access
// key. Pure: no clock, no key lookup; the caller supplies both.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/aws_error.h"

namespace berth::api::sigv4 {

// The parts of an HTTP request a signature covers.
struct Request {
  std::string_view method;
  std::string_view target;  // path and query, as received
  std::vector<std::pair<std::string, std::string>> headers;  // names in any case
  std::string_view body;
};

struct Signature {
  std::string access_key;
  std::string date;     // scope date, YYYYMMDD
  std::string region;
  std::string service;  // signing name: ecs, iam, sts, ...
  std::vector<std::string> signed_headers;  // lowercase, in the order given
  std::string signature;                    // 64 hex digits
  std::string amz_date;                     // YYYYMMDDTHHMMSSZ
  bool presigned = false;
  std::int64_t expires_seconds = 0;         // presigned only
};

enum class Check {
  Ok,
  Missing,     // no signature at all
  Malformed,   // an Authorization header or query that is not SigV4
  Mismatch,    // the signature is not the one the secret gives
  Expired,     // more than 15 minutes old (or a presigned URL past X-Amz-Expires)
  NotYetValid, // more than 15 minutes ahead
};

// The signature the request carries; nullopt for none, or for one that is not well-formed
// (`malformed` tells which).
std::optional<Signature> parse(const Request& r, bool* malformed = nullptr);

// The canonical request and the signature `secret` gives it (exposed for tests).
std::string canonical_request(const Request& r, const Signature& s);
std::string expected_signature(const Request& r, const Signature& s, std::string_view secret);

// Checks the signature against `secret` and the time `now_millis`.
Check verify(const Request& r, const Signature& s, std::string_view secret, std::int64_t now_millis);

// The error AWS answers for a failed check, in the words of the protocol: query services
// (IAM, STS) use different codes and 403. `s` may be null (Missing, Malformed).
AwsError error_for(Check c, bool query_protocol, const Signature* s, std::int64_t now_millis);
// An access key AWS does not know.
AwsError unknown_key(bool query_protocol);

// "20150830T123600Z" as epoch millis; nullopt when malformed.
std::optional<std::int64_t> parse_amz_date(std::string_view d);
std::string format_amz_date(std::int64_t millis);

}  // namespace berth::api::sigv4
