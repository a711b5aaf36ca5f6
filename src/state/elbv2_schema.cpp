// The schema of Elastic Load Balancing v2: load balancers, target groups, listeners, rules and
// registered targets with their health. Never edit a released step: add one.
#include "state/migration.h"

namespace berth::state {

std::vector<Migration> elbv2_migrations() {
  return {
      {"elbv2-0001-load-balancers-target-groups-listeners-rules-targets", R"sql(
CREATE TABLE elb_load_balancers (
  arn        TEXT PRIMARY KEY,
  account    TEXT NOT NULL,
  region     TEXT NOT NULL,
  name       TEXT NOT NULL,
  type       TEXT NOT NULL,          -- application | network
  dns_name   TEXT NOT NULL,          -- NAME-DIGITS.REGION.elb.localhost (internal- prefix when internal)
  state      TEXT NOT NULL,          -- provisioning until the data plane serves it, then active
  created_at INTEGER NOT NULL,       -- epoch millis
  doc        TEXT NOT NULL,          -- the API LoadBalancer object, State aside
  attributes TEXT NOT NULL,          -- {"key": "value"} with every default filled in
  UNIQUE (account, region, name)
);
CREATE UNIQUE INDEX elb_load_balancers_by_dns ON elb_load_balancers (dns_name);

CREATE TABLE elb_target_groups (
  arn         TEXT PRIMARY KEY,
  account     TEXT NOT NULL,
  region      TEXT NOT NULL,
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  doc         TEXT NOT NULL,         -- the API TargetGroup object, LoadBalancerArns aside
  attributes  TEXT NOT NULL,
  UNIQUE (account, region, name)
);

CREATE TABLE elb_listeners (
  arn        TEXT PRIMARY KEY,
  lb_arn     TEXT NOT NULL REFERENCES elb_load_balancers (arn) ON DELETE CASCADE,
  port       INTEGER NOT NULL,
  protocol   TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  doc        TEXT NOT NULL,          -- the API Listener object
  UNIQUE (lb_arn, port)
);

-- Every listener has one default rule (is_default = 1, priority NULL) holding its default actions.
CREATE TABLE elb_rules (
  arn          TEXT PRIMARY KEY,
  listener_arn TEXT NOT NULL REFERENCES elb_listeners (arn) ON DELETE CASCADE,
  priority     INTEGER,              -- 1..50000; NULL for the default rule
  is_default   INTEGER NOT NULL,
  doc          TEXT NOT NULL,        -- {"Conditions": [...], "Actions": [...]}
  UNIQUE (listener_arn, priority)
);

-- Which target groups each rule forwards to: "in use", LoadBalancerArns and ResourceInUse.
CREATE TABLE elb_rule_target_groups (
  rule_arn TEXT NOT NULL REFERENCES elb_rules (arn) ON DELETE CASCADE,
  tg_arn   TEXT NOT NULL,
  PRIMARY KEY (rule_arn, tg_arn)
);
CREATE INDEX elb_rule_target_groups_by_tg ON elb_rule_target_groups (tg_arn);

-- A registered target. state/reason are what DescribeTargetHealth shows (unused is computed);
-- drain_until is the end of the deregistration delay, kept so a restart resumes draining.
CREATE TABLE elb_targets (
  tg_arn        TEXT NOT NULL REFERENCES elb_target_groups (arn) ON DELETE CASCADE,
  id            TEXT NOT NULL,
  port          INTEGER NOT NULL,
  az            TEXT,
  state         TEXT NOT NULL,       -- initial | healthy | unhealthy | draining
  reason        TEXT,
  description   TEXT,
  registered_at INTEGER NOT NULL,
  drain_until   INTEGER,
  PRIMARY KEY (tg_arn, id, port)
);
CREATE INDEX elb_targets_draining ON elb_targets (drain_until) WHERE drain_until IS NOT NULL;
)sql"},
  };
}

}  // namespace berth::state
