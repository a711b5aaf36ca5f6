// ELBv2 handlers through the dispatcher, without HTTP: the JSON shapes of the model (the query
// codec turns them into form and XML), ELBv2's error codes, and the rows the data plane reads.
#include <doctest/doctest.h>

#include "dispatch_harness.h"

#include <regex>

#include "elb/balancer.h"
#include "elb/routing_table.h"
#include "state/elbv2_store.h"

using namespace berth;

namespace {
constexpr std::int64_t kStart = 1'700'000'000'000;

struct ElbHarness : test::DispatchHarness {
  // ValidationError is ELBv2's answer to bad input; the model lists it for no operation.
  ElbHarness()
      : DispatchHarness("elbv2", {"ValidationError"}, kStart) {
    // ELBv2 answers an untagged resource with an empty Tags list, below the model's minimum.
    tolerated_shape_error = [](const std::string& m) {
      return m.find(".Tags' failed to satisfy constraint: Member must have length greater") != std::string::npos;
    };
  }

  std::string lb(const std::string& name = "web-lb", const std::string& extra = "") {
    auto r = ok("CreateLoadBalancer", R"({"Name":")" + name + R"(","Subnets":["subnet-1","subnet-2"],"SecurityGroups":["sg-1"])" + extra + "}");
    return r.body["LoadBalancers"][0]["LoadBalancerArn"].GetString();
  }
  std::string tg(const std::string& name = "web-tg", const std::string& extra = R"(,"TargetType":"ip")") {
    auto r = ok("CreateTargetGroup", R"({"Name":")" + name + R"(","Protocol":"HTTP","Port":3000,"VpcId":"vpc-1")" + extra + "}");
    return r.body["TargetGroups"][0]["TargetGroupArn"].GetString();
  }
  std::string listener(const std::string& lb_arn, const std::string& tg_arn, int port = 8080) {
    auto r = ok("CreateListener", R"({"LoadBalancerArn":")" + lb_arn + R"(","Protocol":"HTTP","Port":)" +
                                      std::to_string(port) + R"(,"DefaultActions":[{"Type":"forward","TargetGroupArn":")" + tg_arn + R"("}]})");
    return r.body["Listeners"][0]["ListenerArn"].GetString();
  }
  rapidjson::Document health(const std::string& tg_arn) {
    auto r = ok("DescribeTargetHealth", R"({"TargetGroupArn":")" + tg_arn + R"("})");
    rapidjson::Document d;
    d.CopyFrom(r.body["TargetHealthDescriptions"], d.GetAllocator());
    return d;
  }
};
}  // namespace

TEST_CASE("CreateLoadBalancer: ARN, DNS name, zones, provisioning, defaults; same request answers the same") {
  ElbHarness h;
  auto r = h.ok("CreateLoadBalancer", R"({"Name":"web-lb","Subnets":["subnet-1","subnet-2"],"SecurityGroups":["sg-1"]})");
  const auto& lb = r.body["LoadBalancers"][0];
  std::string arn = lb["LoadBalancerArn"].GetString();
  CHECK(std::regex_match(arn, std::regex(R"(arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web-lb/[0-9a-f]{16})")));
  CHECK(std::regex_match(std::string(lb["DNSName"].GetString()), std::regex(R"(web-lb-\d{10}\.us-east-1\.elb\.localhost)")));
  CHECK(std::string(lb["State"]["Code"].GetString()) == "provisioning");
  CHECK(std::string(lb["Scheme"].GetString()) == "internet-facing");
  CHECK(lb["AvailabilityZones"].Size() == 2);
  CHECK(std::string(lb["AvailabilityZones"][1]["ZoneName"].GetString()) == "us-east-1b");
  auto again = h.ok("CreateLoadBalancer", R"({"Name":"web-lb","Subnets":["subnet-1","subnet-2"]})");
  CHECK(std::string(again.body["LoadBalancers"][0]["LoadBalancerArn"].GetString()) == arn);
  CHECK(h.call("CreateLoadBalancer", R"({"Name":"web-lb","Subnets":["subnet-1","subnet-2"],"Scheme":"internal"})").code() == "DuplicateLoadBalancerName");
  auto internal = h.ok("CreateLoadBalancer", R"({"Name":"inner","Subnets":["subnet-1","subnet-2"],"Scheme":"internal"})");
  CHECK(std::string(internal.body["LoadBalancers"][0]["DNSName"].GetString()).starts_with("internal-inner-"));
  CHECK(h.call("CreateLoadBalancer", R"({"Name":"one","Subnets":["subnet-1"]})").code() == "ValidationError");
  CHECK(h.call("CreateLoadBalancer", R"({"Name":"-bad","Subnets":["subnet-1","subnet-2"]})").code() == "ValidationError");
  auto net = h.ok("CreateLoadBalancer", R"({"Name":"tcp-lb","Type":"network","Subnets":["subnet-1"]})");
  CHECK(std::string(net.body["LoadBalancers"][0]["LoadBalancerArn"].GetString()).find(":loadbalancer/net/tcp-lb/") != std::string::npos);

  auto attrs = h.ok("DescribeLoadBalancerAttributes", R"({"LoadBalancerArn":")" + arn + R"("})");
  std::map<std::string, std::string> m;
  for (const auto& a : attrs.body["Attributes"].GetArray()) m[a["Key"].GetString()] = a["Value"].GetString();
  CHECK(m["idle_timeout.timeout_seconds"] == "60");
  CHECK(m["deletion_protection.enabled"] == "false");
  CHECK(m["routing.http.xff_header_processing.mode"] == "append");
  CHECK(h.call("ModifyLoadBalancerAttributes", R"({"LoadBalancerArn":")" + arn +
                                                   R"(","Attributes":[{"Key":"no.such","Value":"1"}]})").code() == "ValidationError");
  CHECK(h.call("ModifyLoadBalancerAttributes", R"({"LoadBalancerArn":")" + arn +
                                                   R"(","Attributes":[{"Key":"idle_timeout.timeout_seconds","Value":"0"}]})").code() == "ValidationError");
  // Deletion protection is honoured, then lifted.
  h.ok("ModifyLoadBalancerAttributes", R"({"LoadBalancerArn":")" + arn + R"(","Attributes":[{"Key":"deletion_protection.enabled","Value":"true"}]})");
  CHECK(h.call("DeleteLoadBalancer", R"({"LoadBalancerArn":")" + arn + R"("})").code() == "OperationNotPermitted");
  h.ok("ModifyLoadBalancerAttributes", R"({"LoadBalancerArn":")" + arn + R"(","Attributes":[{"Key":"deletion_protection.enabled","Value":"false"}]})");
  h.ok("DeleteLoadBalancer", R"({"LoadBalancerArn":")" + arn + R"("})");
  h.ok("DeleteLoadBalancer", R"({"LoadBalancerArn":")" + arn + R"("})");  // gone already: still success
  CHECK(h.call("DescribeLoadBalancers", R"({"LoadBalancerArns":[")" + arn + R"("]})").code() == "LoadBalancerNotFound");
  CHECK(h.call("DescribeLoadBalancers", R"({"Names":["nope"]})").code() == "LoadBalancerNotFound");
}

TEST_CASE("CreateTargetGroup: ELBv2's HTTP health-check defaults, attributes, duplicates") {
  ElbHarness h;
  auto r = h.ok("CreateTargetGroup", R"({"Name":"web-tg","Protocol":"HTTP","Port":3000,"VpcId":"vpc-1","TargetType":"ip"})");
  const auto& g = r.body["TargetGroups"][0];
  CHECK(std::regex_match(std::string(g["TargetGroupArn"].GetString()),
                         std::regex(R"(arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-tg/[0-9a-f]{16})")));
  CHECK(std::string(g["HealthCheckProtocol"].GetString()) == "HTTP");
  CHECK(std::string(g["HealthCheckPort"].GetString()) == "traffic-port");
  CHECK(std::string(g["HealthCheckPath"].GetString()) == "/");
  CHECK(g["HealthCheckIntervalSeconds"].GetInt() == 30);
  CHECK(g["HealthCheckTimeoutSeconds"].GetInt() == 6);
  CHECK(g["HealthyThresholdCount"].GetInt() == 5);
  CHECK(g["UnhealthyThresholdCount"].GetInt() == 2);
  CHECK(std::string(g["Matcher"]["HttpCode"].GetString()) == "200");
  CHECK(g["LoadBalancerArns"].Empty());
  std::string arn = g["TargetGroupArn"].GetString();
  auto attrs = h.ok("DescribeTargetGroupAttributes", R"({"TargetGroupArn":")" + arn + R"("})");
  std::map<std::string, std::string> m;
  for (const auto& a : attrs.body["Attributes"].GetArray()) m[a["Key"].GetString()] = a["Value"].GetString();
  CHECK(m["deregistration_delay.timeout_seconds"] == "300");
  CHECK(m["load_balancing.algorithm.type"] == "round_robin");
  CHECK(m["stickiness.type"] == "lb_cookie");
  CHECK(m["slow_start.duration_seconds"] == "0");
  CHECK(h.call("ModifyTargetGroupAttributes", R"({"TargetGroupArn":")" + arn +
                                                  R"(","Attributes":[{"Key":"load_balancing.algorithm.type","Value":"fastest"}]})").code() == "ValidationError");
  h.ok("ModifyTargetGroupAttributes", R"({"TargetGroupArn":")" + arn +
                                          R"(","Attributes":[{"Key":"deregistration_delay.timeout_seconds","Value":"5"}]})");
  // Slow start and least outstanding requests do not go together (ALB's guide), in one call or two.
  auto set = [&](const std::string& attrs) {
    return h.call("ModifyTargetGroupAttributes", R"({"TargetGroupArn":")" + arn + R"(","Attributes":)" + attrs + "}");
  };
  CHECK(set(R"([{"Key":"slow_start.duration_seconds","Value":"30"},{"Key":"load_balancing.algorithm.type","Value":"least_outstanding_requests"}])")
            .code() == "InvalidConfigurationRequest");
  h.ok("ModifyTargetGroupAttributes", R"({"TargetGroupArn":")" + arn +
                                          R"(","Attributes":[{"Key":"slow_start.duration_seconds","Value":"30"}]})");
  CHECK(set(R"([{"Key":"load_balancing.algorithm.type","Value":"least_outstanding_requests"}])").code() ==
        "InvalidConfigurationRequest");
  CHECK(set(R"([{"Key":"slow_start.duration_seconds","Value":"0"},{"Key":"load_balancing.algorithm.type","Value":"least_outstanding_requests"}])")
            .code().empty());
  // Same settings: the same group; other settings: a clash.
  auto again = h.ok("CreateTargetGroup", R"({"Name":"web-tg","Protocol":"HTTP","Port":3000,"VpcId":"vpc-1","TargetType":"ip"})");
  CHECK(std::string(again.body["TargetGroups"][0]["TargetGroupArn"].GetString()) == arn);
  CHECK(h.call("CreateTargetGroup", R"({"Name":"web-tg","Protocol":"HTTP","Port":3001,"VpcId":"vpc-1","TargetType":"ip"})").code() == "DuplicateTargetGroupName");
  CHECK(h.call("CreateTargetGroup", R"({"Name":"t2","Protocol":"HTTP","Port":1,"VpcId":"vpc-1","HealthCheckIntervalSeconds":5,"HealthCheckTimeoutSeconds":5})").code() == "ValidationError");
  CHECK(h.call("CreateTargetGroup", R"({"Name":"t3","Protocol":"HTTP","Port":1,"VpcId":"vpc-1","Matcher":{"HttpCode":"600"}})").code() == "ValidationError");
  auto tcp = h.ok("CreateTargetGroup", R"({"Name":"tcp-tg","Protocol":"TCP","Port":5432,"VpcId":"vpc-1"})");
  CHECK(std::string(tcp.body["TargetGroups"][0]["HealthCheckProtocol"].GetString()) == "TCP");
  CHECK_FALSE(tcp.body["TargetGroups"][0].HasMember("Matcher"));
  auto mod = h.ok("ModifyTargetGroup", R"({"TargetGroupArn":")" + arn + R"(","HealthCheckPath":"/health","HealthCheckIntervalSeconds":5,"HealthCheckTimeoutSeconds":2,"HealthyThresholdCount":2})");
  CHECK(std::string(mod.body["TargetGroups"][0]["HealthCheckPath"].GetString()) == "/health");
}

TEST_CASE("targets: unused until a listener forwards, initial on registration, draining until the delay ends") {
  ElbHarness h;
  std::string lb = h.lb(), tg = h.tg();
  CHECK(h.call("RegisterTargets", R"({"TargetGroupArn":")" + tg + R"(","Targets":[{"Id":"i-123"}]})").code() == "InvalidTarget");
  h.ok("RegisterTargets", R"({"TargetGroupArn":")" + tg + R"(","Targets":[{"Id":"172.18.0.5"},{"Id":"172.18.0.6","Port":3001}]})");
  auto d = h.health(tg);
  REQUIRE(d.Size() == 2);
  CHECK(std::string(d[0]["TargetHealth"]["State"].GetString()) == "unused");
  CHECK(std::string(d[0]["TargetHealth"]["Reason"].GetString()) == "Target.NotInUse");
  CHECK(d[0]["Target"]["Port"].GetInt() == 3000);
  CHECK(std::string(d[1]["HealthCheckPort"].GetString()) == "3001");

  std::string listener = h.listener(lb, tg);
  d = h.health(tg);
  CHECK(std::string(d[0]["TargetHealth"]["State"].GetString()) == "initial");
  CHECK(std::string(d[0]["TargetHealth"]["Reason"].GetString()) == "Elb.RegistrationInProgress");
  CHECK(std::string(d[0]["TargetHealth"]["Description"].GetString()) == "Target registration is in progress");
  auto groups = h.ok("DescribeTargetGroups", R"({"TargetGroupArns":[")" + tg + R"("]})");
  CHECK(std::string(groups.body["TargetGroups"][0]["LoadBalancerArns"][0].GetString()) == lb);

  auto asked = h.ok("DescribeTargetHealth", R"({"TargetGroupArn":")" + tg + R"(","Targets":[{"Id":"172.18.0.9"}]})");
  CHECK(std::string(asked.body["TargetHealthDescriptions"][0]["TargetHealth"]["Reason"].GetString()) == "Target.NotRegistered");

  h.ok("ModifyTargetGroupAttributes", R"({"TargetGroupArn":")" + tg + R"(","Attributes":[{"Key":"deregistration_delay.timeout_seconds","Value":"10"}]})");
  h.ok("DeregisterTargets", R"({"TargetGroupArn":")" + tg + R"(","Targets":[{"Id":"172.18.0.5"}]})");
  d = h.health(tg);
  CHECK(std::string(d[0]["TargetHealth"]["State"].GetString()) == "draining");
  CHECK(std::string(d[0]["TargetHealth"]["Reason"].GetString()) == "Target.DeregistrationInProgress");
  CHECK(h.call("DeregisterTargets", R"({"TargetGroupArn":")" + tg + R"(","Targets":[{"Id":"172.18.0.77"}]})").code() == "InvalidTarget");

  // The data plane's view: the draining target takes no new request; the deadline is kept.
  std::shared_ptr<const elb::RoutingTable> table;
  h.db->read([&](state::Connection& c) { table = elb::load_routing_table(c); });
  const auto* g = table->group(tg);
  REQUIRE(g);
  CHECK(g->in_use);
  REQUIRE(g->targets.size() == 2);
  CHECK(g->targets[0].drain_until == kStart + 10'000);
  elb::Balancer b(h.clock);
  for (int i = 0; i < 3; ++i) CHECK(b.pick(*g)->id == "172.18.0.6");
  CHECK(table->listener_for_host(table->listeners[0].dns_name + ":4566") == &table->listeners[0]);
  CHECK(table->listener_for_host(table->listeners[0].dns_name) == &table->listeners[0]);
  CHECK(table->listener_for_host("other.elb.localhost") == nullptr);

  // Draining ends at the deadline, not before, while a request is in flight.
  b.started(g->targets[0].key());
  CHECK(elb::drains_ending(*table, b, kStart + 9'999).empty());
  auto ending = elb::drains_ending(*table, b, kStart + 10'000);
  REQUIRE(ending.size() == 1);
  h.db->write([&](state::Connection& c) {
    return state::Elbv2Store(c, {}).end_draining(ending[0].tg_arn, ending[0].id, ending[0].port, ending[0].drain_until);
  });
  CHECK(h.health(tg).Size() == 1);

  // A group a listener forwards to cannot be deleted.
  CHECK(h.call("DeleteTargetGroup", R"({"TargetGroupArn":")" + tg + R"("})").code() == "ResourceInUse");
  h.ok("DeleteListener", R"({"ListenerArn":")" + listener + R"("})");
  h.ok("DeleteTargetGroup", R"({"TargetGroupArn":")" + tg + R"("})");
  CHECK(h.call("DescribeTargetHealth", R"({"TargetGroupArn":")" + tg + R"("})").code() == "TargetGroupNotFound");
}

TEST_CASE("draining: an early end decided on a stale table spares a target registered again") {
  ElbHarness h;
  auto lb = h.lb();
  auto tg = h.tg();
  h.listener(lb, tg);
  h.ok("RegisterTargets", R"({"TargetGroupArn":")" + tg + R"(","Targets":[{"Id":"172.18.0.5"},{"Id":"172.18.0.6"}]})");
  h.ok("DeregisterTargets", R"({"TargetGroupArn":")" + tg + R"(","Targets":[{"Id":"172.18.0.5"},{"Id":"172.18.0.6"}]})");
  std::shared_ptr<const elb::RoutingTable> table;
  h.db->read([&](state::Connection& c) { table = elb::load_routing_table(c); });
  elb::Balancer idle(h.clock);
  auto ending = elb::drains_ending(*table, idle, h.clock.now_millis());
  REQUIRE(ending.size() == 2);  // both idle, long before the 300 s default delay

  // Before the data plane acts, .5 is registered again and .6 deregistered again later.
  h.ok("RegisterTargets", R"({"TargetGroupArn":")" + tg + R"(","Targets":[{"Id":"172.18.0.5"},{"Id":"172.18.0.6"}]})");
  h.clock.advance(1'000);
  h.ok("DeregisterTargets", R"({"TargetGroupArn":")" + tg + R"(","Targets":[{"Id":"172.18.0.6"}]})");
  int removed = 0;
  h.db->write([&](state::Connection& c) {
    state::Elbv2Store s(c, {});
    for (const auto& e : ending) removed += s.end_draining(e.tg_arn, e.id, e.port, e.drain_until);
    return true;
  });
  CHECK(removed == 0);
  auto d = h.health(tg);
  REQUIRE(d.Size() == 2);
  CHECK(std::string(d[0]["TargetHealth"]["State"].GetString()) == "initial");
  CHECK(std::string(d[1]["TargetHealth"]["State"].GetString()) == "draining");

  // A fresh decision ends the idle draining one, with the deadline it drains toward now.
  h.db->read([&](state::Connection& c) { table = elb::load_routing_table(c); });
  ending = elb::drains_ending(*table, idle, h.clock.now_millis());
  REQUIRE(ending.size() == 1);
  CHECK(ending[0].drain_until == kStart + 1'000 + 300'000);
  h.db->write([&](state::Connection& c) {
    return state::Elbv2Store(c, {}).end_draining(ending[0].tg_arn, ending[0].id, ending[0].port, ending[0].drain_until);
  });
  d = h.health(tg);
  REQUIRE(d.Size() == 1);
  CHECK(std::string(d[0]["Target"]["Id"].GetString()) == "172.18.0.5");
}

TEST_CASE("listeners and rules: default rule, priorities, conditions, redirects and fixed responses") {
  ElbHarness h;
  std::string lb = h.lb(), tg = h.tg(), other = h.tg("api-tg");
  std::string listener = h.listener(lb, tg);
  CHECK(h.call("CreateListener", R"({"LoadBalancerArn":")" + lb + R"(","Protocol":"HTTP","Port":8080,"DefaultActions":[{"Type":"fixed-response","FixedResponseConfig":{"StatusCode":"404"}}]})").code() == "DuplicateListener");
  CHECK(h.call("CreateListener", R"({"LoadBalancerArn":")" + lb + R"(","Protocol":"HTTPS","Port":443,"DefaultActions":[{"Type":"forward","TargetGroupArn":")" + tg + R"("}]})").code() == "UnsupportedProtocol");
  std::string tcp_tg = h.ok("CreateTargetGroup", R"({"Name":"tcp-tg","Protocol":"TCP","Port":5432,"VpcId":"vpc-1"})").body["TargetGroups"][0]["TargetGroupArn"].GetString();
  CHECK(h.call("CreateListener", R"({"LoadBalancerArn":")" + lb + R"(","Protocol":"HTTP","Port":81,"DefaultActions":[{"Type":"forward","TargetGroupArn":")" + std::string(tcp_tg) + R"("}]})").code() == "IncompatibleProtocols");

  auto rules = h.ok("DescribeRules", R"({"ListenerArn":")" + listener + R"("})");
  REQUIRE(rules.body["Rules"].Size() == 1);
  CHECK(std::string(rules.body["Rules"][0]["Priority"].GetString()) == "default");
  CHECK(rules.body["Rules"][0]["IsDefault"].GetBool());
  std::string default_rule = rules.body["Rules"][0]["RuleArn"].GetString();
  CHECK(default_rule.find(":listener-rule/app/web-lb/") != std::string::npos);

  auto r10 = h.ok("CreateRule", R"({"ListenerArn":")" + listener + R"(","Priority":10,"Conditions":[{"Field":"path-pattern","Values":["/api/*"]}],"Actions":[{"Type":"forward","ForwardConfig":{"TargetGroups":[{"TargetGroupArn":")" + other + R"(","Weight":3},{"TargetGroupArn":")" + tg + R"(","Weight":1}]}}]})");
  std::string rule10 = r10.body["Rules"][0]["RuleArn"].GetString();
  CHECK(std::string(r10.body["Rules"][0]["Priority"].GetString()) == "10");
  CHECK(r10.body["Rules"][0]["Conditions"][0].HasMember("PathPatternConfig"));
  CHECK(h.call("CreateRule", R"({"ListenerArn":")" + listener + R"(","Priority":10,"Conditions":[{"Field":"host-header","Values":["a.example.com"]}],"Actions":[{"Type":"fixed-response","FixedResponseConfig":{"StatusCode":"200"}}]})").code() == "PriorityInUse");
  auto r20 = h.ok("CreateRule", R"({"ListenerArn":")" + listener + R"(","Priority":20,"Conditions":[{"Field":"http-header","HttpHeaderConfig":{"HttpHeaderName":"X-Env","Values":["test"]}}],"Actions":[{"Type":"redirect","RedirectConfig":{"StatusCode":"HTTP_302","Path":"/moved"}}]})");
  std::string rule20 = r20.body["Rules"][0]["RuleArn"].GetString();
  CHECK(std::string(r20.body["Rules"][0]["Actions"][0]["RedirectConfig"]["Host"].GetString()) == "#{host}");
  CHECK(h.call("CreateRule", R"({"ListenerArn":")" + listener + R"(","Priority":30,"Conditions":[{"Field":"path-pattern","Values":["/a"]},{"Field":"path-pattern","Values":["/b"]}],"Actions":[{"Type":"fixed-response","FixedResponseConfig":{"StatusCode":"200"}}]})").code() == "ValidationError");
  CHECK(h.call("CreateRule", R"({"ListenerArn":")" + listener + R"(","Priority":31,"Conditions":[{"Field":"source-ip","SourceIpConfig":{"Values":["10.0.0.1"]}}],"Actions":[{"Type":"fixed-response","FixedResponseConfig":{"StatusCode":"200"}}]})").code() == "ValidationError");
  CHECK(h.call("DeleteRule", R"({"RuleArn":")" + default_rule + R"("})").code() == "OperationNotPermitted");

  // Swap the two priorities in one call.
  auto swapped = h.ok("SetRulePriorities", R"({"RulePriorities":[{"RuleArn":")" + rule10 + R"(","Priority":20},{"RuleArn":")" + rule20 + R"(","Priority":10}]})");
  CHECK(swapped.body["Rules"].Size() == 2);
  rules = h.ok("DescribeRules", R"({"ListenerArn":")" + listener + R"("})");
  CHECK(std::string(rules.body["Rules"][0]["RuleArn"].GetString()) == rule20);
  CHECK(std::string(rules.body["Rules"][1]["Priority"].GetString()) == "20");
  CHECK(h.call("SetRulePriorities", R"({"RulePriorities":[{"RuleArn":")" + rule10 + R"(","Priority":10}]})").code() == "PriorityInUse");

  // The default actions change through ModifyListener and show in the default rule.
  h.ok("ModifyListener", R"({"ListenerArn":")" + listener + R"(","DefaultActions":[{"Type":"fixed-response","FixedResponseConfig":{"StatusCode":"503","ContentType":"text/plain","MessageBody":"down"}}]})");
  rules = h.ok("DescribeRules", R"({"RuleArns":[")" + default_rule + R"("]})");
  CHECK(std::string(rules.body["Rules"][0]["Actions"][0]["Type"].GetString()) == "fixed-response");

  std::shared_ptr<const elb::RoutingTable> table;
  h.db->read([&](state::Connection& c) { table = elb::load_routing_table(c); });
  REQUIRE(table->listeners.size() == 1);
  const auto& l = table->listeners[0];
  REQUIRE(l.rules.size() == 3);
  elb::Request req;
  req.method = "GET";
  req.path = "/api/x";
  CHECK(elb::select_rule(l.rules, req)->action.groups.size() == 2);
  req.headers = {{"x-env", "TEST"}};
  CHECK(elb::select_rule(l.rules, req)->action.type == elb::Action::Type::Redirect);  // priority 10 now
  req.path = "/";
  req.headers.clear();
  CHECK(elb::select_rule(l.rules, req)->action.body == "down");

  // Tags on each kind of resource; an unknown ARN names its kind's error.
  h.ok("AddTags", R"({"ResourceArns":[")" + lb + R"(",")" + rule10 + R"("],"Tags":[{"Key":"team","Value":"web"}]})");
  auto tags = h.ok("DescribeTags", R"({"ResourceArns":[")" + lb + R"(",")" + rule10 + R"("]})");
  CHECK(std::string(tags.body["TagDescriptions"][1]["Tags"][0]["Value"].GetString()) == "web");
  h.ok("RemoveTags", R"({"ResourceArns":[")" + lb + R"("],"TagKeys":["team"]})");
  CHECK(h.ok("DescribeTags", R"({"ResourceArns":[")" + lb + R"("]})").body["TagDescriptions"][0]["Tags"].Empty());
  CHECK(h.call("DescribeTags", R"({"ResourceArns":[")" + tg + R"(x"]})").code() == "TargetGroupNotFound");
  CHECK(h.call("AddTags", R"({"ResourceArns":[")" + lb + R"("],"Tags":[{"Key":"a","Value":"1"},{"Key":"a","Value":"2"}]})").code() == "DuplicateTagKeys");
  CHECK(h.ok("DescribeAccountLimits", "{}").body["Limits"].Size() > 5);

  // Deleting the load balancer takes its listeners and rules.
  h.ok("DeleteLoadBalancer", R"({"LoadBalancerArn":")" + lb + R"("})");
  CHECK(h.call("DescribeRules", R"({"ListenerArn":")" + listener + R"("})").code() == "ListenerNotFound");
  h.ok("DeleteTargetGroup", R"({"TargetGroupArn":")" + tg + R"("})");
}
