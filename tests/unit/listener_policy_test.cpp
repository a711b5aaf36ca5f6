#include <doctest/doctest.h>

#include "api/listener_policy.h"

using namespace berth::api;

namespace {
HttpRequest aws_call(std::string host = "127.0.0.1:4566", std::string auth = "AWS4-HMAC-SHA256 Credential=x") {
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.amz_target = "AmazonEC2ContainerServiceV20141113.ListClusters";
  r.host = std::move(host);
  r.authorization = std::move(auth);
  return r;
}
}  // namespace

TEST_CASE("host names: port and case dropped, IPv6 brackets kept") {
  CHECK(host_name_of("LocalHost:4566") == "localhost");
  CHECK(host_name_of("[::1]:4566") == "[::1]");
  CHECK(host_name_of("[::1") == "[::1");
  CHECK(host_name_of("") == "");
  CHECK(is_loopback_address("127.0.0.1"));
  CHECK(is_loopback_address("127.1.2.3"));
  CHECK(is_loopback_address("::1"));
  CHECK_FALSE(is_loopback_address("0.0.0.0"));
  CHECK_FALSE(is_loopback_address("192.168.1.4"));
}

TEST_CASE("loopback listener: Host names berth, or the request is refused") {
  LoopbackPolicy p{{"reg.example:5000", "Berth.Internal"}};
  for (const char* ok : {"localhost", "127.0.0.1:1", "[::1]:4566", "a.b.localhost", "reg.example", "berth.internal:9", ""})
    CHECK_MESSAGE(!check_loopback(aws_call(ok), p), ok);
  for (const char* bad : {"evil.example", "localhost.evil", "127.0.0.2", "[::2]", ".localhost", "0.0.0.0"}) {
    auto e = check_loopback(aws_call(bad), p);
    REQUIRE_MESSAGE(e, bad);
    CHECK(e->http_status == 403);
    CHECK(e->code == "AccessDeniedException");
  }
}

TEST_CASE("loopback listener: only loopback pages may send Origin") {
  LoopbackPolicy p;
  auto r = aws_call();
  for (const char* ok : {"http://localhost:3000", "https://127.0.0.1", "http://[::1]:8080", "http://app.localhost"}) {
    r.headers = {{"Origin", ok}};
    CHECK_MESSAGE(!check_loopback(r, p), ok);
  }
  for (const char* bad : {"null", "https://evil.example", "http://localhost.evil.example", "file://", "ftp://localhost",
                          "http://localhost/path", "garbage"}) {
    r.headers = {{"Origin", bad}};
    CHECK_MESSAGE(check_loopback(r, p), bad);
  }
}

TEST_CASE("loopback listener: AWS calls need an Authorization header; health and registry do not") {
  LoopbackPolicy p;
  auto e = check_loopback(aws_call("localhost", ""), p);
  REQUIRE(e);
  CHECK(e->code == "MissingAuthenticationTokenException");
  CHECK(e->message == "Missing Authentication Token");
  auto presigned = aws_call("localhost", "");
  presigned.target = "/?Action=X&X-Amz-Signature=abc";
  CHECK(!check_loopback(presigned, p));
  HttpRequest health;
  health.method = "GET";
  health.target = "/_berth/health";
  CHECK(!check_loopback(health, p));
  HttpRequest v2;
  v2.method = "GET";
  v2.target = "/v2/";
  CHECK(!check_loopback(v2, p));
  HttpRequest other = v2;
  other.target = "/nothing";
  CHECK(check_loopback(other, p));
}

TEST_CASE("loopback listener: reset only with a JSON content type (a browser must preflight)") {
  LoopbackPolicy p;
  HttpRequest r;
  r.method = "POST";
  r.target = "/_berth/reset";
  CHECK(check_loopback(r, p));
  for (const char* simple : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
    r.content_type = simple;
    CHECK_MESSAGE(check_loopback(r, p), simple);
  }
  r.content_type = "application/json; charset=utf-8";
  CHECK(!check_loopback(r, p));
}

TEST_CASE("task-facing listener: AWS calls must be signed, by a task when the identity layer says so") {
  auto unsigned_call = aws_call("169.254.170.2", "");
  auto e = check_task_facing(unsigned_call, {});
  REQUIRE(e);
  CHECK(e->code == "MissingAuthenticationTokenException");
  CHECK(!check_task_facing(aws_call("169.254.170.2"), {}));
  auto refuse_all = [](const HttpRequest&) { return false; };
  auto refused = check_task_facing(aws_call("169.254.170.2"), refuse_all);
  REQUIRE(refused);
  CHECK(refused->http_status == 403);
  HttpRequest v2;
  v2.method = "GET";
  v2.target = "/v2/";
  CHECK(!check_task_facing(v2, refuse_all));
}

namespace {
struct Counting final : RequestHandler {
  int routed = 0, sinks = 0;
  std::unique_ptr<BodySink> sink_for(const HttpRequest&) override {
    ++sinks;
    return nullptr;
  }
  HttpResponse route(const HttpRequest&) override {
    ++routed;
    return {};
  }
};
}  // namespace

TEST_CASE("a guarded handler never lets a refused request through, streamed or not") {
  Counting inner;
  LoopbackPolicy p;
  GuardedHandler g(inner, [&](const HttpRequest& r) { return check_loopback(r, p); });
  auto bad = aws_call("evil.example");
  CHECK(g.route(bad).status == 403);
  CHECK(g.sink_for(bad) == nullptr);  // read within the body limit, then refused by route()
  bad.target = "/v2/repo/blobs/uploads/";
  auto sink = g.sink_for(bad);
  REQUIRE(sink);
  CHECK(sink->write("abc", 3));
  CHECK(sink->finish(true).status == 403);
  CHECK(inner.routed == 0);
  CHECK(inner.sinks == 0);
  CHECK(g.route(aws_call()).status == 200);
  CHECK(inner.routed == 1);
}

TEST_CASE("unknown methods and operations sent without POST answer 405") {
  LoopbackPolicy p;
  for (const char* m : {"FOO", "OPTIONS", "TRACE", "CONNECT", "", "get"}) {
    auto r = aws_call();
    r.method = m;
    auto e = check_loopback(r, p);
    REQUIRE_MESSAGE(e, m);
    CHECK(e->http_status == 405);
    CHECK(check_task_facing(r, {})->http_status == 405);
  }
  auto get = aws_call();
  get.method = "GET";
  CHECK(check_loopback(get, p)->http_status == 405);
  HttpRequest del;
  del.method = "DELETE";
  del.target = "/v2/repo/blobs/uploads/x";
  CHECK(!check_loopback(del, p));
}
