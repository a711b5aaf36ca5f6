// SigV4 verification against AWS's published signature test suite (get-vanilla,
// get-vanilla-query-order-key-case, post-vanilla) and against botocore's signatures of a
// query-protocol body and a presigned URL (computed once with botocore 1.29, SigV4Auth and
// SigV4QueryAuth, at 2015-08-30T12:36:00Z).
#include <doctest/doctest.h>

#include "api/sigv4.h"

using namespace berth::api;

namespace {
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::int64_t kSignedAt = 1440938160000;  // 2015-08-30T12:36:00Z

std::string auth(const char* headers, const char* signature) {
  return std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                     "SignedHeaders=") +
         headers + ", Signature=" + signature;
}

sigv4::Request request(const char* method, const char* target, std::string authorization, std::string_view body = {}) {
  sigv4::Request r;
  r.method = method;
  r.target = target;
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  if (!authorization.empty()) r.headers.emplace_back("Authorization", std::move(authorization));
  r.body = body;
  return r;
}

sigv4::Check check(const sigv4::Request& r, std::int64_t now = kSignedAt) {
  auto s = sigv4::parse(r);
  REQUIRE(s);
  return sigv4::verify(r, *s, kSecret, now);
}
}  // namespace

TEST_CASE("sigv4: AWS test suite vectors verify") {
  struct Vector {
    const char* name;
    const char* method;
    const char* target;
    const char* signature;
  } vectors[] = {
      {"get-vanilla", "GET", "/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"post-vanilla", "POST", "/", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.name);
    auto r = request(v.method, v.target, auth("host;x-amz-date", v.signature));
    auto s = sigv4::parse(r);
    REQUIRE(s);
    CHECK(s->access_key == "AKIDEXAMPLE");
    CHECK(s->service == "service");
    CHECK(sigv4::expected_signature(r, *s, kSecret) == v.signature);
    CHECK(check(r) == sigv4::Check::Ok);
  }
}

TEST_CASE("sigv4: a query-protocol body signed by botocore verifies; any change to it does not") {
  std::string body = "Action=ListRoles&Version=2010-05-08";
  auto r = request("POST", "/", auth("content-type;host;x-amz-date",
                                     "896ee7f1367d7cb937678d95b97dcdc823039af5779dafb571bf1415b74c6277"),
                   body);
  r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  CHECK(check(r) == sigv4::Check::Ok);
  std::string other = "Action=ListRoles&Version=2010-05-09";
  r.body = other;
  CHECK(check(r) == sigv4::Check::Mismatch);
  // A declared payload hash replaces the body's: UNSIGNED-PAYLOAD is signed as that word.
  r.headers.emplace_back("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD");
  CHECK(check(r) == sigv4::Check::Mismatch);  // the header is not among the signed ones, but its value is the hash
}

TEST_CASE("sigv4: a presigned URL verifies until X-Amz-Expires") {
  sigv4::Request r;
  r.method = "GET";
  r.target =
      "/?Action=ListRoles&Version=2010-05-08&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%"
      "2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-"
      "Amz-Signature=8940d5b0b64ef7d43dd33f8f0ae4df7f45f4a90f8f7680492df01705c271ed5e";
  r.headers = {{"Host", "example.amazonaws.com"}};
  auto s = sigv4::parse(r);
  REQUIRE(s);
  CHECK(s->presigned);
  CHECK(s->expires_seconds == 900);
  CHECK(sigv4::verify(r, *s, kSecret, kSignedAt + 60'000) == sigv4::Check::Ok);
  CHECK(sigv4::verify(r, *s, kSecret, kSignedAt + 901'000) == sigv4::Check::Expired);
  CHECK(sigv4::verify(r, *s, "another secret", kSignedAt) == sigv4::Check::Mismatch);
}

TEST_CASE("sigv4: wrong secret, tampered signature, stale or future dates, malformed headers") {
  auto r = request("GET", "/", auth("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
  auto s = sigv4::parse(r);
  REQUIRE(s);
  CHECK(sigv4::verify(r, *s, "not the secret", kSignedAt) == sigv4::Check::Mismatch);
  CHECK(sigv4::verify(r, *s, kSecret, kSignedAt + 14 * 60'000) == sigv4::Check::Ok);
  CHECK(sigv4::verify(r, *s, kSecret, kSignedAt + 16 * 60'000) == sigv4::Check::Expired);
  CHECK(sigv4::verify(r, *s, kSecret, kSignedAt - 16 * 60'000) == sigv4::Check::NotYetValid);
  auto tampered = request("GET", "/", auth("host;x-amz-date", "6fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
  CHECK(check(tampered) == sigv4::Check::Mismatch);

  auto expired = sigv4::error_for(sigv4::Check::Expired, false, &*s, kSignedAt + 16 * 60'000);
  CHECK(expired.code == "InvalidSignatureException");
  CHECK(expired.message ==
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)");
  CHECK(sigv4::error_for(sigv4::Check::Mismatch, true, &*s, 0).code == "SignatureDoesNotMatch");
  CHECK(sigv4::error_for(sigv4::Check::Mismatch, true, &*s, 0).http_status == 403);
  CHECK(sigv4::unknown_key(false).code == "UnrecognizedClientException");
  CHECK(sigv4::unknown_key(true).code == "InvalidClientTokenId");

  bool malformed = false;
  auto none = request("GET", "/", "");
  CHECK_FALSE(sigv4::parse(none, &malformed));
  CHECK_FALSE(malformed);
  for (const char* bad : {"AWS4-HMAC-SHA256 Credential=AKID/2015/us-east-1/service/aws4_request, SignedHeaders=host, "
                          "Signature=00",
                          "Basic dXNlcjpwYXNz", "AWS4-HMAC-SHA256 SignedHeaders=host"}) {
    CAPTURE(bad);
    CHECK_FALSE(sigv4::parse(request("GET", "/", bad), &malformed));
    CHECK(malformed);
  }
}
