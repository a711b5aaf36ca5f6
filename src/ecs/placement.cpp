#include "ecs/placement.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

namespace berth::ecs {
namespace {
AwsError invalid(std::string m) { return AwsError::client("InvalidParameterException", std::move(m)); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "256", "1024", "1 vCPU", "0.5 vcpu" as CPU units; "512", "2 GB", "2GB" as MiB.
std::int64_t units(std::string_view text, std::int64_t per_unit, std::string_view unit) {
  std::string s = lower(text);
  double x = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc()) return 0;
  std::string rest(p, static_cast<const char*>(s.data() + s.size()));
  rest.erase(std::remove(rest.begin(), rest.end(), ' '), rest.end());
  return static_cast<std::int64_t>(rest == unit ? x * static_cast<double>(per_unit) : x);
}

std::int64_t member_int(const json::Value& v, const char* name) { return json::get_int(v, name).value_or(0); }
}  // namespace

std::variant<std::vector<Constraint>, AwsError> parse_constraints(const json::Value* definition_constraints,
                                                                  const json::Value* request_constraints) {
  std::vector<Constraint> out;
  for (const json::Value* list : {definition_constraints, request_constraints}) {
    if (!list || !list->IsArray()) continue;
    for (const auto& c : list->GetArray()) {
      Constraint k;
      k.type = std::string(json::get_string(c, "type").value_or(""));
      auto expression = json::get_string(c, "expression");
      if (k.type == "distinctInstance") {
        if (expression && !expression->empty())
          return invalid("Placement constraint expression is not supported for the distinctInstance type.");
      } else if (k.type == "memberOf") {
        if (!expression || expression->empty())
          return invalid("Placement constraint expression is required for the memberOf type.");
        if (expression->size() > 2000)
          return invalid("Placement constraint expression can have a maximum length of 2000 characters.");
        auto q = ClusterQuery::parse(*expression);
        if (auto* why = std::get_if<std::string>(&q))
          return invalid("Invalid placement constraint expression '" + std::string(*expression) + "': " + *why + ".");
        k.query = std::get<ClusterQuery>(std::move(q));
      } else {
        return invalid("Invalid placement constraint type: " + k.type + ".");
      }
      out.push_back(std::move(k));
    }
  }
  if (out.size() > 10) return invalid("You can specify at most 10 placement constraints for a task.");
  return out;
}

std::variant<std::vector<Strategy>, AwsError> parse_strategies(const json::Value* strategies) {
  std::vector<Strategy> out;
  if (!strategies || !strategies->IsArray()) return out;
  if (strategies->Size() > 5) return invalid("You can specify at most 5 placement strategies for a task.");
  for (const auto& s : strategies->GetArray()) {
    Strategy k{std::string(json::get_string(s, "type").value_or("")),
               std::string(json::get_string(s, "field").value_or(""))};
    if (k.type == "binpack") {
      std::string f = lower(k.field);
      if (f != "cpu" && f != "memory")
        return invalid("Invalid placement strategy field '" + k.field + "' for type binpack: use cpu or memory.");
      k.field = f;
    } else if (k.type == "spread") {
      if (k.field.empty()) return invalid("The spread placement strategy requires a field.");
      std::string f = lower(k.field);
      if (f == "instanceid" || f == "host") k.field = "instanceId";
      else if (!k.field.starts_with("attribute:") || k.field.size() == 10)
        return invalid("Invalid placement strategy field '" + k.field +
                       "' for type spread: use instanceId, host or attribute:NAME.");
    } else if (k.type == "random") {
      if (!k.field.empty()) return invalid("The random placement strategy takes no field.");
    } else {
      return invalid("Invalid placement strategy type: " + k.type + ".");
    }
    out.push_back(std::move(k));
  }
  return out;
}

Resources task_demand(const json::Value& definition, const json::Value* overrides, std::string_view task_cpu,
                      std::string_view task_memory) {
  Resources r;
  std::string network(json::get_string(definition, "networkMode").value_or("bridge"));
  const json::Value* container_overrides = overrides ? json::member(*overrides, "containerOverrides") : nullptr;
  auto override_of = [&](std::string_view name) -> const json::Value* {
    if (container_overrides && container_overrides->IsArray())
      for (const auto& o : container_overrides->GetArray())
        if (json::get_string(o, "name") == name) return &o;
    return nullptr;
  };
  std::int64_t cpu = 0, memory = 0;
  if (const json::Value* defs = json::member(definition, "containerDefinitions"))
    for (const auto& c : defs->GetArray()) {
      const json::Value* o = override_of(json::get_string(c, "name").value_or(""));
      auto pick = [&](const char* m) { return o && json::member(*o, m) ? member_int(*o, m) : member_int(c, m); };
      cpu += pick("cpu");
      std::int64_t reservation = pick("memoryReservation");
      memory += reservation > 0 ? reservation : pick("memory");
      if (network == "awsvpc") continue;
      if (const json::Value* ports = json::member(c, "portMappings"))
        for (const auto& p : ports->GetArray()) {
          std::int64_t host = network == "host" ? member_int(p, "containerPort") : member_int(p, "hostPort");
          if (network == "host" && json::member(p, "hostPort")) host = member_int(p, "hostPort");
          if (host <= 0) continue;  // a dynamic port: Docker picks one, nothing is reserved
          (json::get_string(p, "protocol") == std::string_view("udp") ? r.udp_ports : r.tcp_ports)
              .insert(static_cast<int>(host));
        }
    }
  r.cpu = task_cpu.empty() ? cpu : units(task_cpu, 1024, "vcpu");
  r.memory = task_memory.empty() ? memory : units(task_memory, 1024, "gb");
  return r;
}

std::optional<std::string> refusal(const Candidate& c, const Resources& demand, const std::vector<Constraint>& constraints) {
  for (const auto& k : constraints) {
    if (k.type == "memberOf" && !k.query->matches(c.facts)) return "MemberOf placement constraint unsatisfied.";
    if (k.type == "distinctInstance" && c.group_tasks > 0) return "DistinctInstance placement constraint unsatisfied.";
  }
  if (c.held.cpu + demand.cpu > c.registered.cpu) return "RESOURCE:CPU";
  if (c.held.memory + demand.memory > c.registered.memory) return "RESOURCE:MEMORY";
  for (int p : demand.tcp_ports)
    if (c.held.tcp_ports.count(p) || c.registered.tcp_ports.count(p)) return "RESOURCE:PORTS";
  for (int p : demand.udp_ports)
    if (c.held.udp_ports.count(p) || c.registered.udp_ports.count(p)) return "RESOURCE:PORTS";
  return std::nullopt;
}

namespace {
// The value a spread field takes on an instance (instances without the attribute form one group).
std::string spread_value(const Candidate& c, const std::string& field) {
  if (field == "instanceId") return c.arn;
  auto it = c.facts.attributes.find(field.substr(10));
  return it == c.facts.attributes.end() ? std::string("\x01") : it->second.value_or("");
}
}  // namespace

Choice choose(const std::vector<Candidate>& candidates, const Resources& demand,
              const std::vector<Constraint>& constraints, const std::vector<Strategy>& strategies, std::mt19937& rng) {
  Choice out;
  std::vector<std::size_t> fit;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    if (c.status != "ACTIVE" || !c.agent_connected) continue;
    if (auto why = refusal(c, demand, constraints))
      out.refusals.emplace_back(c.arn, *why);
    else
      fit.push_back(i);
  }
  if (fit.empty()) return out;
  out.refusals.clear();
  for (const auto& s : strategies) {
    if (fit.size() <= 1) break;
    if (s.type == "random") {
      std::uniform_int_distribution<std::size_t> pick(0, fit.size() - 1);
      fit = {fit[pick(rng)]};
      break;
    }
    // Each remaining instance's score under this strategy; the lowest scores stay.
    std::vector<std::int64_t> score(fit.size());
    if (s.type == "binpack") {
      for (std::size_t k = 0; k < fit.size(); ++k) {
        const Candidate& c = candidates[fit[k]];
        score[k] = s.field == "cpu" ? c.registered.cpu - c.held.cpu : c.registered.memory - c.held.memory;
      }
    } else {  // spread: the fewest tasks of the group among instances sharing the field's value
      std::map<std::string, std::int64_t> per_value;
      for (const auto& c : candidates)
        if (c.status == "ACTIVE") per_value[spread_value(c, s.field)] += c.group_tasks;
      for (std::size_t k = 0; k < fit.size(); ++k) score[k] = per_value[spread_value(candidates[fit[k]], s.field)];
    }
    std::int64_t best = *std::min_element(score.begin(), score.end());
    std::vector<std::size_t> kept;
    for (std::size_t k = 0; k < fit.size(); ++k)
      if (score[k] == best) kept.push_back(fit[k]);
    fit = std::move(kept);
  }
  out.index = fit.front();
  return out;
}

std::string unable_to_place_event(std::string_view service,
                                  const std::optional<std::pair<std::string, std::string>>& closest) {
  std::string head = "(service " + std::string(service) +
                     ") was unable to place a task because no container instance met all of its requirements.";
  const std::string tail = " For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.";
  if (!closest) return head + " Reason: " + std::string(kNoInstances) + tail;
  const auto& [arn, reason] = *closest;
  std::string who = "(container-instance " + arn.substr(arn.rfind('/') + 1) + ")";
  if (reason == "RESOURCE:CPU") return head + " The closest matching " + who + " has insufficient CPU units available." + tail;
  if (reason == "RESOURCE:MEMORY") return head + " The closest matching " + who + " has insufficient memory available." + tail;
  if (reason == "RESOURCE:PORTS")
    return head + " The closest matching " + who + " is already using a port required by your task." + tail;
  return head + " The closest matching " + who + " encountered error \"" + reason + "\"." + tail;
}

}  // namespace berth::ecs
