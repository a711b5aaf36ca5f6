#include <doctest/doctest.h>

#include "api/request_context.h"

using berth::api::caller_from_authorization;

TEST_CASE("the credential scope gives the region; a 12-digit key id gives the account") {
  auto c = caller_from_authorization(
      "AWS4-HMAC-SHA256 Credential=123456789012/20240101/eu-west-1/ecs/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abc",
      "000000000000", "us-east-1");
  CHECK(c.account == "123456789012");
  CHECK(c.region == "eu-west-1");
  CHECK(c.access_key == "123456789012");
}

TEST_CASE("other key ids keep the default account") {
  auto c = caller_from_authorization("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20240101/ap-south-1/ecs/aws4_request",
                                     "000000000000", "us-east-1");
  CHECK(c.account == "000000000000");
  CHECK(c.region == "ap-south-1");
  auto short_id = caller_from_authorization("AWS4-HMAC-SHA256 Credential=12345/20240101/us-west-2/ecs/aws4_request",
                                            "000000000000", "us-east-1");
  CHECK(short_id.account == "000000000000");
}

TEST_CASE("no or broken Authorization falls back to the defaults") {
  auto none = caller_from_authorization("", "000000000000", "us-east-1");
  CHECK(none.account == "000000000000");
  CHECK(none.region == "us-east-1");
  auto broken = caller_from_authorization("AWS4-HMAC-SHA256 Credential=", "000000000000", "us-east-1");
  CHECK(broken.region == "us-east-1");
}
