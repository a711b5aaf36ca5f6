// The CBOR codec: every major type round-trips, indefinite lengths and all float widths read,
// and malformed bytes are refused with a reason instead of a crash or an allocation.
#include <doctest/doctest.h>

#include <cmath>

#include "common/cbor.h"

using namespace berth;
using Kind = cbor::Item::Kind;

namespace {
cbor::Item must_decode(const std::string& bytes) {
  auto r = cbor::decode(bytes);
  REQUIRE_MESSAGE(std::holds_alternative<cbor::Item>(r), std::get<std::string>(r));
  return std::get<cbor::Item>(r);
}
std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}
}  // namespace

TEST_CASE("cbor: integers of every width round-trip, with their shortest heads") {
  for (std::uint64_t v : {0ULL, 23ULL, 24ULL, 255ULL, 256ULL, 65535ULL, 65536ULL, 4294967295ULL, 4294967296ULL,
                          18446744073709551615ULL}) {
    cbor::Writer w;
    w.unsigned_int(v);
    auto it = must_decode(w.data());
    CHECK(it.kind == Kind::Unsigned);
    CHECK(it.number == v);
  }
  cbor::Writer w;
  w.integer(-1);
  CHECK(w.data() == bytes({0x20}));
  w = {};
  w.integer(-500);
  CHECK(w.data() == bytes({0x39, 0x01, 0xf3}));
  auto neg = must_decode(w.data());
  CHECK(neg.kind == Kind::Negative);
  CHECK(neg.as_double() == -500);
  w = {};
  w.unsigned_int(1000);
  CHECK(w.data() == bytes({0x19, 0x03, 0xe8}));
}

TEST_CASE("cbor: strings, arrays, maps, tags and simple values round-trip") {
  cbor::Writer w;
  w.map(7);
  w.text("bytes");
  w.bytes(std::string("\x00\xff", 2));
  w.text("text");
  w.text("h\xc3\xa9llo");
  w.text("list");
  w.array(2);
  w.boolean(true);
  w.boolean(false);
  w.text("when");
  w.tag(1);
  w.unsigned_int(1700000000);
  w.text("nothing");
  w.null();
  w.text("undef");
  w.undefined();
  w.text("pi");
  w.float64(3.14159);
  auto it = must_decode(w.data());
  REQUIRE(it.kind == Kind::Map);
  REQUIRE(it.items.size() == 14);
  CHECK(it.items[1].kind == Kind::Bytes);
  CHECK(it.items[1].text == std::string("\x00\xff", 2));
  CHECK(it.items[3].text == "h\xc3\xa9llo");
  CHECK(it.items[5].items[0].kind == Kind::True);
  CHECK(it.items[5].items[1].kind == Kind::False);
  CHECK(it.items[7].kind == Kind::Tag);
  CHECK(it.items[7].number == 1);
  CHECK(it.items[7].items[0].number == 1700000000);
  CHECK(it.items[9].kind == Kind::Null);
  CHECK(it.items[11].kind == Kind::Undefined);
  CHECK(it.items[13].real == 3.14159);
}

TEST_CASE("cbor: indefinite strings, arrays and maps read as their definite forms") {
  cbor::Writer w;
  w.map_indefinite();
  w.text("s");
  w.text_indefinite();
  w.text("ab");
  w.text("cd");
  w.end();
  w.text("b");
  w.bytes_indefinite();
  w.bytes("x");
  w.bytes("yz");
  w.end();
  w.text("a");
  w.array_indefinite();
  w.unsigned_int(1);
  w.array_indefinite();
  w.end();
  w.end();
  w.end();
  auto it = must_decode(w.data());
  REQUIRE(it.items.size() == 6);
  CHECK(it.items[1].kind == Kind::Text);
  CHECK(it.items[1].text == "abcd");
  CHECK(it.items[3].text == "xyz");
  CHECK(it.items[5].items.size() == 2);
  CHECK(it.items[5].items[1].items.empty());
  // A chunk of another type inside an indefinite text string is malformed.
  CHECK(std::holds_alternative<std::string>(cbor::decode(bytes({0x7f, 0x41, 0x61, 0xff}))));
}

TEST_CASE("cbor: half, single and double floats, and the shortest exact width on writing") {
  CHECK(must_decode(bytes({0xf9, 0x3c, 0x00})).real == 1.0);
  CHECK(must_decode(bytes({0xf9, 0xc4, 0x00})).real == -4.0);
  CHECK(must_decode(bytes({0xf9, 0x00, 0x01})).real == std::ldexp(1.0, -24));  // smallest subnormal
  CHECK(std::isinf(must_decode(bytes({0xf9, 0x7c, 0x00})).real));
  CHECK(std::isnan(must_decode(bytes({0xf9, 0x7e, 0x00})).real));
  CHECK(must_decode(bytes({0xfa, 0x47, 0xc3, 0x50, 0x00})).real == 100000.0);
  CHECK(must_decode(bytes({0xfb, 0x3f, 0xf1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a})).real == 1.1);
  for (double v : {0.0, 1.5, -2.0, 65504.0, 100000.0, 1.1, 1e300, std::ldexp(1.0, -24), -0.0}) {
    cbor::Writer w;
    w.floating(v);
    auto it = must_decode(w.data());
    CHECK(it.real == v);
    CHECK(std::signbit(it.real) == std::signbit(v));
  }
  cbor::Writer w;
  w.floating(1.5);
  CHECK(w.data().size() == 3);  // a half
  w = {};
  w.floating(100000.0);
  CHECK(w.data().size() == 5);  // a single
  w = {};
  w.floating(1.1);
  CHECK(w.data().size() == 9);  // a double
  w = {};
  w.floating(NAN);
  CHECK(std::isnan(must_decode(w.data()).real));
}

TEST_CASE("cbor: malformed input is refused with a reason") {
  auto bad = [](const std::string& b) { return std::holds_alternative<std::string>(cbor::decode(b)); };
  CHECK(bad(""));
  CHECK(bad(bytes({0x19, 0x01})));                          // cut short
  CHECK(bad(bytes({0x01, 0x02})));                          // trailing bytes
  CHECK(bad(bytes({0x1c})));                                // reserved additional info
  CHECK(bad(bytes({0xff})));                                // a break outside an indefinite item
  CHECK(bad(bytes({0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})));  // a huge declared length
  CHECK(bad(bytes({0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})));
  CHECK(bad(bytes({0x9f, 0x01})));                          // an indefinite array never closed
  CHECK(bad(bytes({0xf8, 0x20})));                          // an unsupported simple value
  CHECK(bad(std::string(100000, '\x81') + "\x01"));         // nesting far past the bound
  std::string deep_ok = std::string(100, '\x81') + "\x01";
  CHECK_FALSE(bad(deep_ok));
}
