// Every string berth writes is valid UTF-8, whatever bytes the request echoed.
#include <doctest/doctest.h>

#include "api/protocols/protocol.h"
#include "common/json.h"

using namespace berth;

TEST_CASE("well-formed UTF-8 is recognised; ill-formed sequences are replaced by U+FFFD") {
  CHECK(json::valid_utf8(""));
  CHECK(json::valid_utf8("plain ascii"));
  CHECK(json::valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3"));
  for (const char* bad : {"\xff", "\xc3\x28", "\xe2\x28\xa1", "\xed\xa0\x80" /* surrogate */,
                          "\xc0\xaf" /* overlong */, "\xf4\x90\x80\x80" /* > U+10FFFF */, "\xe2\x82"})
    CHECK_MESSAGE(!json::valid_utf8(bad), bad);
  CHECK(json::to_valid_utf8("a\xffz") == "a\xef\xbf\xbdz");
  CHECK(json::to_valid_utf8("caf\xc3\x28") == "caf\xef\xbf\xbd(");
  CHECK(json::to_valid_utf8("\xe2\x82") == "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(json::valid_utf8(json::to_valid_utf8("\xf0\x9f\x90\xb3\xf0\x9f\x90")));
}

TEST_CASE("an error message echoing invalid bytes is still valid JSON") {
  auto r = api::protocols::aws_json_1_1().error(nullptr, AwsError::client("InvalidParameterException", "bad name 'x\xff\xfe'"), "id");
  CHECK(json::valid_utf8(r.body));
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(r.body.c_str(), r.body.size());
  REQUIRE_FALSE(d.HasParseError());
  CHECK(std::string(d["message"].GetString()) == "bad name 'x\xef\xbf\xbd\xef\xbf\xbd'");
}
