#include <doctest/doctest.h>

#include "api/pagination.h"

namespace pg = berth::api::pagination;

TEST_CASE("tokens round-trip any cursor") {
  for (std::string cursor : {"", "a", "ab", "abc", "flask-app:150", "x\xff\x01y"}) {
    auto token = pg::encode(cursor);
    CHECK(token.find_first_of("+/=") == std::string::npos);
    auto back = pg::decode(token);
    REQUIRE(back);
    CHECK(*back == cursor);
  }
}

TEST_CASE("tokens not made by berth are refused") {
  CHECK_FALSE(pg::decode("not a token!"));
  CHECK_FALSE(pg::decode("Zm9vYmFy"));  // base64 of "foobar": no berth prefix
}
