// EC2 task placement: the cluster query language, constraints, strategies and the resource fit.
#include <doctest/doctest.h>

#include "ecs/cluster_query.h"
#include "ecs/placement.h"

using namespace berth::ecs;

namespace {
ClusterQuery query(const char* text) {
  auto q = ClusterQuery::parse(text);
  if (auto* why = std::get_if<std::string>(&q)) FAIL("does not parse: " << text << ": " << *why);
  return std::get<ClusterQuery>(q);
}
std::string parse_error(const char* text) {
  auto q = ClusterQuery::parse(text);
  auto* why = std::get_if<std::string>(&q);
  return why ? *why : "";
}
InstanceFacts facts() {
  InstanceFacts f;
  f.attributes = {{"ecs.instance-type", "t2.micro"}, {"ecs.availability-zone", "us-east-1a"},
                  {"stack", "prod"}, {"ecs.capability.task-eni", std::nullopt}};
  f.ec2_instance_id = "i-0123";
  f.running_tasks = 3;
  f.registered_at_millis = 1700000000000;  // 2023-11-14
  f.task_groups = {"service:web", "family:batch"};
  return f;
}
rapidjson::Document parse(const char* text) {
  rapidjson::Document d;
  d.Parse(text);
  REQUIRE_FALSE(d.HasParseError());
  return d;
}
Candidate instance(const char* arn, std::int64_t cpu, std::int64_t memory, const char* az = "us-east-1a") {
  Candidate c;
  c.arn = arn;
  c.registered.cpu = cpu;
  c.registered.memory = memory;
  c.registered.tcp_ports = {22};
  c.facts.attributes["ecs.availability-zone"] = az;
  return c;
}
}  // namespace

TEST_CASE("cluster query: comparisons on attributes, ids, counts, groups and dates") {
  auto f = facts();
  CHECK(query("attribute:ecs.instance-type == t2.micro").matches(f));
  CHECK_FALSE(query("attribute:ecs.instance-type == t2.small").matches(f));
  CHECK(query("attribute:ecs.instance-type =~ t2.*").matches(f));
  CHECK_FALSE(query("attribute:ecs.instance-type !~ t2.*").matches(f));
  CHECK(query("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]").matches(f));
  CHECK_FALSE(query("attribute:ecs.availability-zone not_in [us-east-1a, us-east-1b]").matches(f));
  CHECK(query("attribute:ecs.availability-zone !in [us-east-1c]").matches(f));
  CHECK(query("attribute:ecs.capability.task-eni exists").matches(f));
  CHECK(query("attribute:missing !exists").matches(f));
  CHECK(query("attribute:missing != x").matches(f));  // an absent attribute equals nothing
  CHECK(query("ec2InstanceId in ['i-0123', 'i-9999']").matches(f));
  CHECK(query("runningTasksCount >= 3 and runningTasksCount < 4").matches(f));
  CHECK_FALSE(query("runningTasksCount > 3").matches(f));
  CHECK(query("task:group == service:web").matches(f));
  CHECK(query("not(task:group == service:db)").matches(f));
  CHECK(query("registeredAt > 2023-01-01 && registeredAt < 2024-01-01").matches(f));
  CHECK(query("attribute:stack == staging or (attribute:stack == prod and not attribute:ecs.instance-type =~ m5.*)").matches(f));
  CHECK_FALSE(query("attribute:stack == staging || attribute:stack == dev").matches(f));
  CHECK(query("attribute:stack equals prod").matches(f));
}

TEST_CASE("cluster query: malformed expressions say why") {
  CHECK(parse_error("") == "the expression is empty");
  CHECK(parse_error("attribute:stack") == "missing operator after 'attribute:stack'");
  CHECK(parse_error("color == red") == "unknown subject 'color'");
  CHECK(parse_error("attribute:stack == ") == "a value is expected after ==");
  CHECK(parse_error("attribute:stack in [a, b") == "',' or ']' is expected in the list");
  CHECK(parse_error("(attribute:stack == a") == "missing ')'");
  CHECK(parse_error("runningTasksCount > many") == "runningTasksCount takes a number, not 'many'");
  CHECK(parse_error("ec2InstanceId > i-1") == "operator > does not apply to ec2InstanceId");
  CHECK(parse_error("attribute:a == b c") == "unexpected 'c'");
  CHECK(parse_error("attribute:a =~ [") == "a value is expected after =~");
}

TEST_CASE("constraints and strategies are validated as ECS does") {
  auto ok = parse(R"([{"type":"memberOf","expression":"attribute:stack == prod"},{"type":"distinctInstance"}])");
  auto c = parse_constraints(nullptr, &ok);
  REQUIRE(std::holds_alternative<std::vector<Constraint>>(c));
  CHECK(std::get<std::vector<Constraint>>(c).size() == 2);
  auto no_expr = parse(R"([{"type":"memberOf"}])");
  CHECK(std::get<berth::AwsError>(parse_constraints(nullptr, &no_expr)).code == "InvalidParameterException");
  auto distinct_expr = parse(R"([{"type":"distinctInstance","expression":"attribute:a == b"}])");
  CHECK(std::holds_alternative<berth::AwsError>(parse_constraints(nullptr, &distinct_expr)));
  auto bad = parse(R"([{"type":"memberOf","expression":"attribute:a =="}])");
  CHECK(std::get<berth::AwsError>(parse_constraints(nullptr, &bad)).message ==
        "Invalid placement constraint expression 'attribute:a ==': a value is expected after ==.");
  std::string eleven = "[";
  for (int i = 0; i < 11; ++i) eleven += std::string(i ? "," : "") + R"({"type":"distinctInstance"})";
  auto many = parse((eleven + "]").c_str());
  CHECK(std::holds_alternative<berth::AwsError>(parse_constraints(nullptr, &many)));

  auto s = parse(R"([{"type":"spread","field":"attribute:ecs.availability-zone"},{"type":"binpack","field":"MEMORY"},{"type":"spread","field":"host"}])");
  auto st = std::get<std::vector<Strategy>>(parse_strategies(&s));
  CHECK(st[1].field == "memory");
  CHECK(st[2].field == "instanceId");
  auto bad_binpack = parse(R"([{"type":"binpack","field":"disk"}])");
  CHECK(std::holds_alternative<berth::AwsError>(parse_strategies(&bad_binpack)));
  auto bare_spread = parse(R"([{"type":"spread"}])");
  CHECK(std::holds_alternative<berth::AwsError>(parse_strategies(&bare_spread)));
}

TEST_CASE("task demand: task-level sizes win, else container sums with memoryReservation; fixed host ports") {
  auto def = parse(R"({"networkMode":"bridge","containerDefinitions":[
      {"name":"a","cpu":256,"memory":512,"portMappings":[{"containerPort":80,"hostPort":8080},{"containerPort":81}]},
      {"name":"b","cpu":128,"memory":1024,"memoryReservation":256,"portMappings":[{"containerPort":53,"hostPort":53,"protocol":"udp"}]}]})");
  Resources r = task_demand(def, nullptr, "", "");
  CHECK(r.cpu == 384);
  CHECK(r.memory == 768);
  CHECK(r.tcp_ports == std::set<int>{8080});
  CHECK(r.udp_ports == std::set<int>{53});
  auto ov = parse(R"({"containerOverrides":[{"name":"a","memory":100}]})");
  CHECK(task_demand(def, &ov, "", "").memory == 356);
  CHECK(task_demand(def, nullptr, "1 vCPU", "2 GB").cpu == 1024);
  CHECK(task_demand(def, nullptr, "1 vCPU", "2 GB").memory == 2048);
  auto host = parse(R"({"networkMode":"host","containerDefinitions":[{"name":"a","memory":64,"portMappings":[{"containerPort":9000}]}]})");
  CHECK(task_demand(host, nullptr, "", "").tcp_ports == std::set<int>{9000});
  auto vpc = parse(R"({"networkMode":"awsvpc","containerDefinitions":[{"name":"a","memory":64,"portMappings":[{"containerPort":9000}]}]})");
  CHECK(task_demand(vpc, nullptr, "", "").tcp_ports.empty());
}

TEST_CASE("fit: CPU, memory and ports refuse with ECS's reasons, in that order") {
  Candidate c = instance("arn:a", 1024, 1000);
  c.held.cpu = 512;
  c.held.memory = 900;
  c.held.tcp_ports = {8080};
  Resources d;
  d.cpu = 600;
  CHECK(refusal(c, d, {}) == "RESOURCE:CPU");
  d.cpu = 512;
  CHECK_FALSE(refusal(c, d, {}));
  d.memory = 101;
  CHECK(refusal(c, d, {}) == "RESOURCE:MEMORY");
  d.memory = 100;
  d.tcp_ports = {8080};
  CHECK(refusal(c, d, {}) == "RESOURCE:PORTS");
  d.tcp_ports = {22};  // reserved by ECS on every instance
  CHECK(refusal(c, d, {}) == "RESOURCE:PORTS");
  d.tcp_ports = {8081};
  CHECK_FALSE(refusal(c, d, {}));
  std::vector<Constraint> member{{"memberOf", query("attribute:ecs.availability-zone == us-east-1b")}};
  CHECK(refusal(c, d, member) == "MemberOf placement constraint unsatisfied.");
  c.group_tasks = 1;
  CHECK(refusal(c, d, {{"distinctInstance", std::nullopt}}) == "DistinctInstance placement constraint unsatisfied.");
}

TEST_CASE("choose: binpack takes the fullest, spread the emptiest zone, draining instances are skipped") {
  std::mt19937 rng(1);
  std::vector<Candidate> cs = {instance("arn:a", 2048, 4096, "us-east-1a"), instance("arn:b", 2048, 4096, "us-east-1a"),
                               instance("arn:c", 2048, 4096, "us-east-1b")};
  cs[1].held.memory = 1024;
  cs[0].group_tasks = 1;
  Resources d;
  d.cpu = 256;
  d.memory = 512;
  CHECK(choose(cs, d, {}, {{"binpack", "memory"}}, rng).index == 1u);
  CHECK(choose(cs, d, {}, {{"spread", "attribute:ecs.availability-zone"}}, rng).index == 2u);
  CHECK(choose(cs, d, {}, {{"spread", "instanceId"}, {"binpack", "memory"}}, rng).index == 1u);
  cs[2].status = "DRAINING";
  CHECK(choose(cs, d, {}, {{"spread", "instanceId"}}, rng).index == 1u);
  // Nothing fits: each active instance says why.
  d.memory = 8192;
  Choice none = choose(cs, d, {}, {}, rng);
  CHECK_FALSE(none.index);
  REQUIRE(none.refusals.size() == 2);
  CHECK(none.refusals[0] == std::pair<std::string, std::string>{"arn:a", "RESOURCE:MEMORY"});
  // Random picks among the fitting ones only.
  d.memory = 512;
  cs[0].held.cpu = 2048;
  for (int i = 0; i < 20; ++i) CHECK(choose(cs, d, {}, {{"random", ""}}, rng).index == 1u);
}

TEST_CASE("service events when a task cannot be placed use ECS's words") {
  CHECK(unable_to_place_event("web", std::nullopt) ==
        "(service web) was unable to place a task because no container instance met all of its requirements. Reason: "
        "No Container Instances were found in your cluster. For more information, see the Troubleshooting section of "
        "the Amazon ECS Developer Guide.");
  CHECK(unable_to_place_event("web", std::pair<std::string, std::string>{
                                         "arn:aws:ecs:us-east-1:1:container-instance/c/abc", "RESOURCE:MEMORY"}) ==
        "(service web) was unable to place a task because no container instance met all of its requirements. The "
        "closest matching (container-instance abc) has insufficient memory available. For more information, see the "
        "Troubleshooting section of the Amazon ECS Developer Guide.");
}
