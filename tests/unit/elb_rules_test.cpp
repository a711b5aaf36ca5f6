// Listener rule matching, weighted forwarding, redirects and the health state machine of the
// load balancer data plane: pure functions, no sockets.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "common/clock.h"
#include "elb/balancer.h"
#include "elb/health_state.h"
#include "elb/rule_match.h"

using namespace berth::elb;

namespace {
Condition cond(Condition::Field f, std::vector<std::string> values, std::string header = "") {
  Condition c{};
  c.field = f;
  c.values = std::move(values);
  c.header_name = std::move(header);
  return c;
}

Request get(std::string path, std::string host = "web-lb-1.us-east-1.elb.localhost:8080") {
  Request r;
  r.method = "GET";
  r.host = std::move(host);
  auto q = path.find('?');
  r.path = path.substr(0, q);
  if (q != std::string::npos) r.query = path.substr(q + 1);
  r.source_ip = "172.17.0.1";
  return r;
}

Rule rule(std::optional<int> priority, std::vector<Condition> conds, std::string group) {
  Rule r;
  r.priority = priority;
  r.conditions = std::move(conds);
  r.action.groups.push_back({std::move(group), 1});
  return r;
}
}  // namespace

TEST_CASE("wildcards: * any run, ? one character, case as the field wants") {
  CHECK(wildcard_match("/img/*", "/img/a/b.png", false));
  CHECK(wildcard_match("/img/*", "/img/", false));
  CHECK_FALSE(wildcard_match("/img/*", "/IMG/a.png", false));  // paths are case-sensitive
  CHECK(wildcard_match("*.example.com", "API.Example.com", true));  // hosts are not
  CHECK(wildcard_match("/a?c", "/abc", false));
  CHECK_FALSE(wildcard_match("/a?c", "/ac", false));
  CHECK(wildcard_match("*", "", false));
  CHECK(wildcard_match("/*/x/*", "/a/b/x/c", false));
  CHECK_FALSE(wildcard_match("/*/x", "/a/b/y", false));
}

TEST_CASE("conditions: host without its port, headers by name, methods, query strings, source CIDR") {
  CHECK(matches(cond(Condition::Field::HostHeader, {"web-lb-*.elb.localhost"}), get("/")));
  CHECK_FALSE(matches(cond(Condition::Field::HostHeader, {"other.example.com"}), get("/")));
  Request r = get("/search?q=Shoes&page=2");
  r.headers = {{"User-Agent", "Mozilla/5.0 (Mobile)"}};
  CHECK(matches(cond(Condition::Field::HttpHeader, {"*mobile*"}, "user-agent"), r));
  CHECK_FALSE(matches(cond(Condition::Field::HttpHeader, {"*mobile*"}, "x-other"), r));
  CHECK(matches(cond(Condition::Field::HttpRequestMethod, {"GET", "HEAD"}), r));
  CHECK_FALSE(matches(cond(Condition::Field::HttpRequestMethod, {"POST"}), r));
  Condition q{};
  q.field = Condition::Field::QueryString;
  q.query_values = {{std::string("q"), "shoes"}};  // values compare case-insensitively
  CHECK(matches(q, r));
  q.query_values = {{std::nullopt, "2"}};  // a value under any key
  CHECK(matches(q, r));
  q.query_values = {{std::string("page"), "3"}};
  CHECK_FALSE(matches(q, r));
  CHECK(matches(cond(Condition::Field::SourceIp, {"172.16.0.0/12"}), r));
  CHECK_FALSE(matches(cond(Condition::Field::SourceIp, {"10.0.0.0/8"}), r));
  CHECK(cidr_contains("127.0.0.1/32", "::ffff:127.0.0.1"));
}

TEST_CASE("rules are tried by priority and the default rule catches the rest") {
  std::vector<Rule> rules{rule(5, {cond(Condition::Field::PathPattern, {"/api/*"})}, "api"),
                          rule(10, {cond(Condition::Field::PathPattern, {"/api/v2/*"})}, "v2"),
                          rule(std::nullopt, {}, "default")};
  CHECK(select_rule(rules, get("/api/v2/x"))->action.groups[0].arn == "api");  // 5 before 10
  CHECK(select_rule(rules, get("/static/x"))->action.groups[0].arn == "default");
  // Every condition of a rule must match.
  std::vector<Rule> both{rule(1, {cond(Condition::Field::PathPattern, {"/a"}), cond(Condition::Field::HttpRequestMethod, {"POST"})}, "post-a"),
                         rule(std::nullopt, {}, "default")};
  CHECK(select_rule(both, get("/a"))->action.groups[0].arn == "default");
}

TEST_CASE("weighted forwarding follows the weights; weight 0 gets nothing") {
  Action a;
  a.groups = {{"blue", 80}, {"green", 20}, {"off", 0}};
  int blue = 0, green = 0;
  for (std::uint64_t i = 0; i < 100; ++i) {
    auto g = pick_group(a, i);
    blue += g == "blue";
    green += g == "green";
    CHECK(g != "off");
  }
  CHECK(blue == 80);
  CHECK(green == 20);
  Action none;
  none.groups = {{"x", 0}};
  CHECK(pick_group(none, 7).empty());
}

TEST_CASE("redirects fill #{protocol} #{host} #{port} #{path} #{query}") {
  Action a;
  a.type = Action::Type::Redirect;
  a.status = 301;
  CHECK(redirect_location(a, get("/old/page?x=1"), "HTTP", 8080) ==
        "http://web-lb-1.us-east-1.elb.localhost:8080/old/page?x=1");
  a.protocol = "HTTPS";
  a.port = "443";
  a.path = "/new/#{path}";
  a.query = "";
  CHECK(redirect_location(a, get("/old?x=1"), "HTTP", 80) == "https://web-lb-1.us-east-1.elb.localhost/new/old");
}

TEST_CASE("health: one success makes an initial target healthy; thresholds move it after that") {
  HealthView v{"initial", "Elb.RegistrationInProgress", "Target registration is in progress"};
  HealthCounters c;
  const CheckResult ok{}, refused{CheckResult::Kind::Failed, 0}, timeout{CheckResult::Kind::Timeout, 0},
      c404{CheckResult::Kind::CodeMismatch, 404};
  v = advance(v, c, refused, 5, 2);
  CHECK(v.state == "initial");
  CHECK(v.reason == "Elb.InitialHealthChecking");
  v = advance(v, c, ok, 5, 2);
  CHECK(v.state == "healthy");
  CHECK_FALSE(v.reason);
  v = advance(v, c, c404, 5, 2);
  CHECK(v.state == "healthy");  // one failure is not enough with UnhealthyThreshold 2
  v = advance(v, c, c404, 5, 2);
  CHECK(v.state == "unhealthy");
  CHECK(v.reason == "Target.ResponseCodeMismatch");
  CHECK(v.description == "Health checks failed with these codes: [404]");
  v = advance(v, c, timeout, 5, 2);
  CHECK(v.reason == "Target.Timeout");
  CHECK(v.description == "Request timed out");
  for (int i = 0; i < 4; ++i) {
    v = advance(v, c, ok, 5, 2);
    CHECK(v.state == "unhealthy");
  }
  v = advance(v, c, ok, 5, 2);  // the fifth success in a row
  CHECK(v.state == "healthy");
  // An initial target failing UnhealthyThreshold times in a row is unhealthy.
  HealthView fresh{"initial", "Elb.InitialHealthChecking", "Initial health checks in progress"};
  HealthCounters c2;
  fresh = advance(fresh, c2, refused, 5, 2);
  fresh = advance(fresh, c2, refused, 5, 2);
  CHECK(fresh.state == "unhealthy");
  CHECK(fresh.reason == "Target.FailedHealthChecks");
}

TEST_CASE("matchers: single codes, lists and ranges") {
  CHECK(status_matches("200", 200));
  CHECK_FALSE(status_matches("200", 204));
  CHECK(status_matches("200,204", 204));
  CHECK(status_matches("200-299", 250));
  CHECK_FALSE(status_matches("200-299", 302));
}

TEST_CASE("balancing: round robin over healthy targets, fail open, never draining, stickiness") {
  GroupEntry g;
  g.arn = "tg";
  g.targets = {{"10.0.0.1", 80, "10.0.0.1", "healthy", {}, {}},
               {"10.0.0.2", 80, "10.0.0.2", "healthy", {}, {}},
               {"10.0.0.3", 80, "10.0.0.3", "unhealthy", {}, {}},
               {"10.0.0.4", 80, "10.0.0.4", "draining", {}, {}}};
  berth::ManualClock clock(0);
  Balancer b(clock);
  CHECK(b.pick(g)->id == "10.0.0.1");
  CHECK(b.pick(g)->id == "10.0.0.2");
  CHECK(b.pick(g)->id == "10.0.0.1");
  CHECK(b.pick(g, "10.0.0.2:80")->id == "10.0.0.2");  // sticky and routable
  CHECK(b.pick(g, "10.0.0.3:80")->id != "10.0.0.3");  // sticky but unhealthy: not honoured
  // No healthy target: every registered one that is not draining takes traffic.
  g.targets[0].state = g.targets[1].state = "unhealthy";
  std::set<std::string> seen;
  for (int i = 0; i < 6; ++i) seen.insert(b.pick(g)->id);
  CHECK(seen == std::set<std::string>{"10.0.0.1", "10.0.0.2", "10.0.0.3"});
  // Only draining targets: nothing (503).
  g.targets = {{"10.0.0.4", 80, "10.0.0.4", "draining", {}, {}}};
  CHECK(b.pick(g) == nullptr);
  // least_outstanding_requests prefers the idle target.
  GroupEntry lor;
  lor.arn = "lor";
  lor.algorithm = "least_outstanding_requests";
  lor.targets = {{"a", 80, "10.0.1.1", "healthy", {}, {}}, {"b", 80, "10.0.1.2", "healthy", {}, {}}};
  b.started("10.0.1.1:80");
  CHECK(b.pick(lor)->id == "b");
  CHECK(b.pick(lor)->id == "b");
  b.finished("10.0.1.1:80");
  CHECK(b.outstanding("10.0.1.1:80") == 0);
}

TEST_CASE("draining: an idle draining target ends at once, a busy one when idle or at its deadline") {
  berth::ManualClock clock(1'000'000);
  RoutingTable t;
  GroupEntry& g = t.groups["tg"];
  g.arn = "tg";
  g.targets = {{"10.0.0.1", 80, "10.0.0.1", "healthy", {}, {}},
               {"10.0.0.2", 80, "10.0.0.2", "draining", {}, 1'300'000},   // idle
               {"10.0.0.3", 80, "10.0.0.3", "draining", {}, 1'300'000}};  // a request in flight
  Balancer b(clock);
  b.started("10.0.0.1:80");  // the healthy target's requests keep nothing
  b.started("10.0.0.3:80");
  auto ending = drains_ending(t, b, clock.now_millis());
  REQUIRE(ending.size() == 1);
  CHECK(ending[0].tg_arn == "tg");
  CHECK(ending[0].id == "10.0.0.2");
  CHECK(ending[0].port == 80);
  CHECK(ending[0].drain_until == 1'300'000);  // what the removal is conditioned on

  // Still busy a millisecond before the deadline: it keeps draining.
  g.targets.erase(g.targets.begin() + 1);
  clock.advance(299'999);
  CHECK(drains_ending(t, b, clock.now_millis()).empty());
  // At the deadline it ends even with the request still in flight.
  clock.advance(1);
  REQUIRE(drains_ending(t, b, clock.now_millis()).size() == 1);
  // Or earlier, once its last request finished.
  clock.advance(-100'000);
  b.finished("10.0.0.3:80");
  REQUIRE(drains_ending(t, b, clock.now_millis()).size() == 1);
  CHECK(drains_ending(t, b, clock.now_millis())[0].id == "10.0.0.3");
}

namespace {
RoutingTable one_group(GroupEntry g) {
  RoutingTable t;
  t.groups[g.arn] = std::move(g);
  return t;
}
// How many of `n` picks from the group go to each target id.
std::map<std::string, int> shares(Balancer& b, const GroupEntry& g, int n) {
  std::map<std::string, int> out;
  for (int i = 0; i < n; ++i) ++out[b.pick(g)->id];
  return out;
}
}  // namespace

TEST_CASE("slow start: a newly healthy target's share ramps linearly over the duration (round robin)") {
  berth::ManualClock clock(5'000'000);
  GroupEntry g;
  g.arn = "tg";
  g.slow_start_seconds = 100;
  g.targets = {{"a", 80, "10.0.0.1", "healthy", {}, {}}, {"b", 80, "10.0.0.2", "initial", {}, {}}};
  Balancer b(clock);
  b.observe(one_group(g));  // first sight: "a" is healthy and not in slow start
  CHECK(b.weight(g, g.targets[0]) == 1.0);

  g.targets[1].state = "healthy";  // "b" passes its health checks
  auto t = one_group(g);
  b.observe(t);
  const GroupEntry& live = t.groups.at("tg");
  CHECK(b.weight(live, live.targets[1]) == 0.0);
  CHECK(shares(b, live, 10) == std::map<std::string, int>{{"a", 10}});  // nothing at the start

  clock.advance(25'000);  // a quarter of the way: b weighs 0.25 against a's 1 -> 1 in 5
  CHECK(b.weight(live, live.targets[1]) == doctest::Approx(0.25));
  auto quarter = shares(b, live, 100);
  CHECK(quarter["b"] == 20);
  CHECK(quarter["a"] == 80);

  clock.advance(50'000);  // three quarters: 0.75 / 1.75 of the requests
  auto three_quarters = shares(b, live, 700);
  CHECK(three_quarters["b"] == 300);
  CHECK(three_quarters["a"] == 400);

  clock.advance(25'000);  // the duration is over: a fair share, plain round robin
  b.observe(t);
  CHECK(b.weight(live, live.targets[1]) == 1.0);
  auto full = shares(b, live, 100);
  CHECK(full["a"] == 50);
  CHECK(full["b"] == 50);
}

TEST_CASE("slow start: who enters it and who leaves it, as ALB documents") {
  berth::ManualClock clock(0);
  GroupEntry g;
  g.arn = "tg";
  g.slow_start_seconds = 60;
  g.targets = {{"a", 80, "10.0.0.1", "initial", {}, {}}, {"b", 80, "10.0.0.2", "initial", {}, {}}};
  Balancer b(clock);
  b.observe(one_group(g));
  // The first targets of a group become healthy with no full target beside them: no slow start.
  g.targets[0].state = g.targets[1].state = "healthy";
  auto t = one_group(g);
  b.observe(t);
  CHECK(b.weight(t.groups["tg"], t.groups["tg"].targets[0]) == 1.0);
  CHECK(b.weight(t.groups["tg"], t.groups["tg"].targets[1]) == 1.0);

  // A third target joins and becomes healthy: it warms up.
  g.targets.push_back({"c", 80, "10.0.0.3", "initial", {}, {}});
  b.observe(one_group(g));
  g.targets[2].state = "healthy";
  t = one_group(g);
  b.observe(t);
  clock.advance(30'000);
  CHECK(b.weight(t.groups["tg"], t.groups["tg"].targets[2]) == doctest::Approx(0.5));
  // It fails its health checks: out of slow start; healthy again: a new ramp from 0.
  g.targets[2].state = "unhealthy";
  b.observe(one_group(g));
  g.targets[2].state = "healthy";
  t = one_group(g);
  b.observe(t);
  CHECK(b.weight(t.groups["tg"], t.groups["tg"].targets[2]) == 0.0);

  // Slow start off (0): targets become healthy at full weight.
  g.slow_start_seconds = 0;
  g.targets.push_back({"d", 80, "10.0.0.4", "initial", {}, {}});
  b.observe(one_group(g));
  g.targets[3].state = "healthy";
  t = one_group(g);
  b.observe(t);
  CHECK(b.weight(t.groups["tg"], t.groups["tg"].targets[2]) == 1.0);
  CHECK(b.weight(t.groups["tg"], t.groups["tg"].targets[3]) == 1.0);
}

TEST_CASE("least outstanding requests counts in flight per address:port, across groups") {
  berth::ManualClock clock(0);
  Balancer b(clock);
  // Two tasks on one host (bridge: 127.0.0.1 with two host ports) are two targets.
  GroupEntry g;
  g.arn = "tg";
  g.algorithm = "least_outstanding_requests";
  g.targets = {{"i-1", 32768, "127.0.0.1", "healthy", {}, {}}, {"i-1", 32769, "127.0.0.1", "healthy", {}, {}}};
  b.started("127.0.0.1:32768");
  b.started("127.0.0.1:32768");
  CHECK(b.outstanding("127.0.0.1:32769") == 0);
  for (int i = 0; i < 3; ++i) CHECK(b.pick(g)->port == 32769);
  // The same task in a second group: requests through either group load the same task.
  GroupEntry other = g;
  other.arn = "tg2";
  b.started("127.0.0.1:32769");
  b.started("127.0.0.1:32769");
  b.started("127.0.0.1:32769");
  CHECK(b.pick(other)->port == 32768);
  CHECK(b.pick(g)->port == 32768);
  b.finished("127.0.0.1:32769");
  b.finished("127.0.0.1:32769");
  CHECK(b.outstanding("127.0.0.1:32769") == 1);
}
