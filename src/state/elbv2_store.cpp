#include "state/elbv2_store.h"

namespace berth::state {
namespace {
constexpr const char* kLbCols = "arn, name, type, dns_name, state, created_at, doc, attributes, account, region";
constexpr const char* kTgCols = "arn, name, created_at, doc, attributes, account, region";
constexpr const char* kListenerCols = "arn, lb_arn, port, protocol, created_at, doc";
constexpr const char* kRuleCols = "arn, listener_arn, priority, doc";
constexpr const char* kTargetCols = "tg_arn, id, port, az, state, reason, description, registered_at, drain_until";

LoadBalancerRow lb_of(const Query& q) {
  return {q.str(0), q.str(1), q.str(2), q.str(3), q.str(4), q.int64(5), q.str(6), q.str(7), q.str(8), q.str(9)};
}
TargetGroupRow tg_of(const Query& q) { return {q.str(0), q.str(1), q.int64(2), q.str(3), q.str(4), q.str(5), q.str(6)}; }
ListenerRow listener_of(const Query& q) {
  return {q.str(0), q.str(1), static_cast<int>(q.int64(2)), q.str(3), q.int64(4), q.str(5)};
}
RuleRow rule_of(const Query& q) {
  RuleRow r{q.str(0), q.str(1), std::nullopt, q.str(3)};
  if (!q.is_null(2)) r.priority = static_cast<int>(q.int64(2));
  return r;
}
TargetRow target_of(const Query& q) {
  return {q.str(0), q.str(1), static_cast<int>(q.int64(2)), q.opt_str(3), q.str(4), q.opt_str(5), q.opt_str(6),
          q.int64(7), q.opt_int64(8)};
}
std::string sql(const char* head, const char* cols, const char* tail) {
  return std::string(head) + cols + tail;
}
}  // namespace

std::optional<LoadBalancerRow> Elbv2Store::load_balancer(std::string_view arn) {
  auto q = c_.query(sql("SELECT ", kLbCols, " FROM elb_load_balancers WHERE arn = ? AND account = ? AND region = ?"),
                    arn, scope_.account, scope_.region);
  if (!q.step()) return std::nullopt;
  return lb_of(q);
}

std::optional<LoadBalancerRow> Elbv2Store::load_balancer_named(std::string_view name) {
  auto q = c_.query(sql("SELECT ", kLbCols, " FROM elb_load_balancers WHERE account = ? AND region = ? AND name = ?"),
                    scope_.account, scope_.region, name);
  if (!q.step()) return std::nullopt;
  return lb_of(q);
}

std::optional<LoadBalancerRow> Elbv2Store::load_balancer_by_dns(std::string_view dns_name) {
  auto q = c_.query(sql("SELECT ", kLbCols, " FROM elb_load_balancers WHERE dns_name = ?"), dns_name);
  if (!q.step()) return std::nullopt;
  return lb_of(q);
}

std::vector<LoadBalancerRow> Elbv2Store::load_balancers() {
  std::vector<LoadBalancerRow> out;
  auto q = c_.query(sql("SELECT ", kLbCols, " FROM elb_load_balancers WHERE account = ? AND region = ? ORDER BY name"),
                    scope_.account, scope_.region);
  while (q.step()) out.push_back(lb_of(q));
  return out;
}

std::vector<LoadBalancerRow> Elbv2Store::all_load_balancers() {
  std::vector<LoadBalancerRow> out;
  auto q = c_.query(sql("SELECT ", kLbCols, " FROM elb_load_balancers ORDER BY arn"));
  while (q.step()) out.push_back(lb_of(q));
  return out;
}

void Elbv2Store::put_load_balancer(const LoadBalancerRow& r) {
  c_.query(
        "INSERT INTO elb_load_balancers (arn, account, region, name, type, dns_name, state, created_at, doc, attributes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET state = excluded.state, "
        "doc = excluded.doc, attributes = excluded.attributes",
        r.arn, scope_.account, scope_.region, r.name, r.type, r.dns_name, r.state, r.created_at, r.doc, r.attributes)
      .run();
}

void Elbv2Store::set_load_balancer_state(std::string_view arn, std::string_view state) {
  c_.query("UPDATE elb_load_balancers SET state = ? WHERE arn = ?", state, arn).run();
}

void Elbv2Store::delete_load_balancer(std::string_view arn) {
  c_.query("DELETE FROM elb_load_balancers WHERE arn = ?", arn).run();
}

std::optional<TargetGroupRow> Elbv2Store::target_group(std::string_view arn) {
  auto q = c_.query(sql("SELECT ", kTgCols, " FROM elb_target_groups WHERE arn = ? AND account = ? AND region = ?"),
                    arn, scope_.account, scope_.region);
  if (!q.step()) return std::nullopt;
  return tg_of(q);
}

std::optional<TargetGroupRow> Elbv2Store::target_group_named(std::string_view name) {
  auto q = c_.query(sql("SELECT ", kTgCols, " FROM elb_target_groups WHERE account = ? AND region = ? AND name = ?"),
                    scope_.account, scope_.region, name);
  if (!q.step()) return std::nullopt;
  return tg_of(q);
}

std::vector<TargetGroupRow> Elbv2Store::target_groups() {
  std::vector<TargetGroupRow> out;
  auto q = c_.query(sql("SELECT ", kTgCols, " FROM elb_target_groups WHERE account = ? AND region = ? ORDER BY name"),
                    scope_.account, scope_.region);
  while (q.step()) out.push_back(tg_of(q));
  return out;
}

std::vector<TargetGroupRow> Elbv2Store::all_target_groups() {
  std::vector<TargetGroupRow> out;
  auto q = c_.query(sql("SELECT ", kTgCols, " FROM elb_target_groups ORDER BY arn"));
  while (q.step()) out.push_back(tg_of(q));
  return out;
}

void Elbv2Store::put_target_group(const TargetGroupRow& r) {
  c_.query(
        "INSERT INTO elb_target_groups (arn, account, region, name, created_at, doc, attributes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET doc = excluded.doc, "
        "attributes = excluded.attributes",
        r.arn, scope_.account, scope_.region, r.name, r.created_at, r.doc, r.attributes)
      .run();
}

void Elbv2Store::delete_target_group(std::string_view arn) {
  c_.query("DELETE FROM elb_target_groups WHERE arn = ?", arn).run();
}

std::optional<ListenerRow> Elbv2Store::listener(std::string_view arn) {
  auto q = c_.query(sql("SELECT ", kListenerCols,
                        " FROM elb_listeners WHERE arn = ? AND lb_arn IN "
                        "(SELECT arn FROM elb_load_balancers WHERE account = ? AND region = ?)"),
                    arn, scope_.account, scope_.region);
  if (!q.step()) return std::nullopt;
  return listener_of(q);
}

std::vector<ListenerRow> Elbv2Store::listeners_of(std::string_view lb_arn) {
  std::vector<ListenerRow> out;
  auto q = c_.query(sql("SELECT ", kListenerCols, " FROM elb_listeners WHERE lb_arn = ? ORDER BY port"), lb_arn);
  while (q.step()) out.push_back(listener_of(q));
  return out;
}

std::vector<ListenerRow> Elbv2Store::all_listeners() {
  std::vector<ListenerRow> out;
  auto q = c_.query(sql("SELECT ", kListenerCols, " FROM elb_listeners ORDER BY port, created_at"));
  while (q.step()) out.push_back(listener_of(q));
  return out;
}

void Elbv2Store::put_listener(const ListenerRow& r) {
  c_.query(
        "INSERT INTO elb_listeners (arn, lb_arn, port, protocol, created_at, doc) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (arn) DO UPDATE SET port = excluded.port, protocol = excluded.protocol, doc = excluded.doc",
        r.arn, r.lb_arn, r.port, r.protocol, r.created_at, r.doc)
      .run();
}

void Elbv2Store::delete_listener(std::string_view arn) { c_.query("DELETE FROM elb_listeners WHERE arn = ?", arn).run(); }

std::optional<RuleRow> Elbv2Store::rule(std::string_view arn) {
  auto q = c_.query(sql("SELECT ", kRuleCols,
                        " FROM elb_rules WHERE arn = ? AND listener_arn IN (SELECT l.arn FROM elb_listeners l "
                        "JOIN elb_load_balancers b ON b.arn = l.lb_arn WHERE b.account = ? AND b.region = ?)"),
                    arn, scope_.account, scope_.region);
  if (!q.step()) return std::nullopt;
  return rule_of(q);
}

std::vector<RuleRow> Elbv2Store::rules_of(std::string_view listener_arn) {
  std::vector<RuleRow> out;
  auto q = c_.query(sql("SELECT ", kRuleCols,
                        " FROM elb_rules WHERE listener_arn = ? ORDER BY is_default, priority"),
                    listener_arn);
  while (q.step()) out.push_back(rule_of(q));
  return out;
}

void Elbv2Store::put_rule(const RuleRow& r, const std::vector<std::string>& target_groups) {
  c_.query(
        "INSERT INTO elb_rules (arn, listener_arn, priority, is_default, doc) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (arn) DO UPDATE SET priority = excluded.priority, doc = excluded.doc",
        r.arn, r.listener_arn, r.priority, r.is_default() ? 1 : 0, r.doc)
      .run();
  c_.query("DELETE FROM elb_rule_target_groups WHERE rule_arn = ?", r.arn).run();
  for (const auto& tg : target_groups)
    c_.query("INSERT OR IGNORE INTO elb_rule_target_groups (rule_arn, tg_arn) VALUES (?, ?)", r.arn, tg).run();
}

void Elbv2Store::delete_rule(std::string_view arn) { c_.query("DELETE FROM elb_rules WHERE arn = ?", arn).run(); }

std::vector<std::string> Elbv2Store::load_balancers_using(std::string_view tg_arn) {
  std::vector<std::string> out;
  auto q = c_.query(
      "SELECT DISTINCT l.lb_arn FROM elb_rule_target_groups t JOIN elb_rules r ON r.arn = t.rule_arn "
      "JOIN elb_listeners l ON l.arn = r.listener_arn WHERE t.tg_arn = ? ORDER BY l.lb_arn",
      tg_arn);
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::vector<std::string> Elbv2Store::target_groups_of(std::string_view lb_arn) {
  std::vector<std::string> out;
  auto q = c_.query(
      "SELECT DISTINCT t.tg_arn FROM elb_rule_target_groups t JOIN elb_rules r ON r.arn = t.rule_arn "
      "JOIN elb_listeners l ON l.arn = r.listener_arn WHERE l.lb_arn = ? ORDER BY t.tg_arn",
      lb_arn);
  while (q.step()) out.push_back(q.str(0));
  return out;
}

std::vector<TargetRow> Elbv2Store::targets(std::string_view tg_arn) {
  std::vector<TargetRow> out;
  auto q = c_.query(sql("SELECT ", kTargetCols, " FROM elb_targets WHERE tg_arn = ? ORDER BY registered_at, id, port"),
                    tg_arn);
  while (q.step()) out.push_back(target_of(q));
  return out;
}

std::optional<TargetRow> Elbv2Store::target(std::string_view tg_arn, std::string_view id, int port) {
  auto q = c_.query(sql("SELECT ", kTargetCols, " FROM elb_targets WHERE tg_arn = ? AND id = ? AND port = ?"), tg_arn,
                    id, port);
  if (!q.step()) return std::nullopt;
  return target_of(q);
}

bool Elbv2Store::register_target(std::string_view tg_arn, std::string_view id, int port,
                                 const std::optional<std::string>& az, std::int64_t now) {
  auto existing = target(tg_arn, id, port);
  if (existing && existing->state != target_state::draining) return false;
  c_.query(
        "INSERT INTO elb_targets (tg_arn, id, port, az, state, reason, description, registered_at, drain_until) "
        "VALUES (?, ?, ?, ?, 'initial', 'Elb.RegistrationInProgress', 'Target registration is in progress', ?, NULL) "
        "ON CONFLICT (tg_arn, id, port) DO UPDATE SET state = excluded.state, reason = excluded.reason, "
        "description = excluded.description, registered_at = excluded.registered_at, drain_until = NULL",
        tg_arn, id, port, az, now)
      .run();
  return true;
}

bool Elbv2Store::deregister_target(std::string_view tg_arn, std::string_view id, int port, std::int64_t drain_until) {
  auto existing = target(tg_arn, id, port);
  if (!existing) return false;
  if (existing->state == target_state::draining) return true;
  c_.query(
        "UPDATE elb_targets SET state = 'draining', reason = 'Target.DeregistrationInProgress', "
        "description = 'Target deregistration is in progress', drain_until = ? "
        "WHERE tg_arn = ? AND id = ? AND port = ?",
        drain_until, tg_arn, id, port)
      .run();
  return true;
}

bool Elbv2Store::set_target_health(std::string_view tg_arn, std::string_view id, int port, std::string_view state,
                                   const std::optional<std::string>& reason,
                                   const std::optional<std::string>& description) {
  c_.query(
        "UPDATE elb_targets SET state = ?, reason = ?, description = ? "
        "WHERE tg_arn = ? AND id = ? AND port = ? AND state != 'draining'",
        state, reason, description, tg_arn, id, port)
      .run();
  return c_.changes() > 0;
}

bool Elbv2Store::end_draining(std::string_view tg_arn, std::string_view id, int port, std::int64_t drain_until) {
  c_.query("DELETE FROM elb_targets WHERE tg_arn = ? AND id = ? AND port = ? AND drain_until = ?", tg_arn, id, port,
           drain_until)
      .run();
  return c_.changes() > 0;
}

}  // namespace berth::state
