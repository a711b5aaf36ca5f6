// PutScheduledAction, DescribeScheduledActions, DeleteScheduledAction. The actions run on
// scaling::ScheduledScaling's thread; here they are checked, stored with their next time, and
// shown.
#include <cmath>

#include "api/autoscaling/errors.h"
#include "api/autoscaling/listing.h"
#include "api/autoscaling/registration.h"
#include "api/autoscaling/targets.h"
#include "api/pagination.h"
#include "api/services.h"
#include "common/ids.h"
#include "scaling/schedule.h"
#include "state/scaling_store.h"

namespace berth::api::autoscaling {
namespace {

// A timestamp member (epoch seconds, as every protocol hands it over) in milliseconds.
std::optional<std::int64_t> millis_of(const json::Value& in, const char* member) {
  const auto* v = json::member(in, member);
  if (!v || !v->IsNumber()) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(v->GetDouble() * 1000.0));
}

Outcome put_scheduled_action(OpContext& ctx, const json::Value& in) {
  auto k = key_of(in);
  if (auto e = check_registered(ctx, k)) return *e;
  std::string name(json::view(in["ScheduledActionName"]));
  state::ScalingStore store(ctx.db, ctx.scope());
  const std::int64_t now = ctx.clock.now_millis();
  // An update keeps what it does not give.
  state::ScheduledActionRow row;
  if (auto existing = store.scheduled_action(k, name)) row = *existing;
  else {
    row.name = name;
    row.key = k;
    row.created = now;
    row.arn = "arn:aws:autoscaling:" + ctx.region + ":" + ctx.account + ":scheduledAction:" + ids::uuid_v4() +
              ":resource/" + k.service_namespace + "/" + k.resource_id + ":scheduledActionName/" + name;
  }
  if (auto s = json::get_string(in, "Schedule")) row.schedule = std::string(*s);
  if (row.schedule.empty()) return errors::validation("Schedule is required when creating a scheduled action.");
  if (auto tz = json::get_string(in, "Timezone")) row.timezone = std::string(*tz);
  if (auto t = millis_of(in, "StartTime")) row.start_time = t;
  if (auto t = millis_of(in, "EndTime")) row.end_time = t;
  if (const auto* action = json::member(in, "ScalableTargetAction")) {
    row.min_capacity = json::get_int(*action, "MinCapacity");
    row.max_capacity = json::get_int(*action, "MaxCapacity");
  }
  auto schedule = scaling::parse_schedule(row.schedule);
  if (!schedule) return errors::validation("Invalid schedule expression: " + row.schedule);
  auto tz = row.timezone ? scaling::TimeZone::load(*row.timezone) : scaling::TimeZone::utc();
  if (!tz) return errors::validation("Invalid timezone: " + *row.timezone);
  if (row.start_time && row.end_time && *row.start_time >= *row.end_time)
    return errors::validation("The end time must be later than the start time.");
  if (!row.min_capacity && !row.max_capacity)
    return errors::validation("ScalableTargetAction must specify at least one of MinCapacity or MaxCapacity.");
  if (row.min_capacity && row.max_capacity && *row.min_capacity > *row.max_capacity)
    return errors::validation("Minimum capacity cannot be greater than maximum capacity");
  row.next_fire = scaling::next_fire(*schedule, *tz, {row.created, row.start_time, row.end_time}, now);
  store.put_scheduled_action(row);
  return Outcome::ok("{}");
}

void write_action(json::Writer& w, const state::ScheduledActionRow& a) {
  w.StartObject();
  json::kv(w, "ScheduledActionName", a.name);
  json::kv(w, "ScheduledActionARN", a.arn);
  json::kv(w, "ServiceNamespace", a.key.service_namespace);
  json::kv(w, "Schedule", a.schedule);
  if (a.timezone) json::kv(w, "Timezone", *a.timezone);
  json::kv(w, "ResourceId", a.key.resource_id);
  json::kv(w, "ScalableDimension", a.key.scalable_dimension);
  if (a.start_time) {
    w.Key("StartTime");
    json::epoch_seconds(w, *a.start_time);
  }
  if (a.end_time) {
    w.Key("EndTime");
    json::epoch_seconds(w, *a.end_time);
  }
  w.Key("ScalableTargetAction");
  w.StartObject();
  if (a.min_capacity) {
    w.Key("MinCapacity");
    w.Int64(*a.min_capacity);
  }
  if (a.max_capacity) {
    w.Key("MaxCapacity");
    w.Int64(*a.max_capacity);
  }
  w.EndObject();
  w.Key("CreationTime");
  json::epoch_seconds(w, a.created);
  w.EndObject();
}

Outcome describe_scheduled_actions(OpContext& ctx, const json::Value& in) {
  auto after = cursor_of(in);
  if (auto* e = std::get_if<AwsError>(&after)) return *e;
  state::ScalingStore store(ctx.db, ctx.scope());
  auto page = page_by_names(
      store.scheduled_actions(json::view(in["ServiceNamespace"]), json::get_string(in, "ResourceId"),
                              json::get_string(in, "ScalableDimension"), std::get<std::string>(after), 10000),
      names_of(in, "ScheduledActionNames"), static_cast<int>(json::get_int(in, "MaxResults").value_or(50)),
      [](const state::ScheduledActionRow& a) { return a.name; });
  Body b;
  b.w.StartObject();
  b.w.Key("ScheduledActions");
  b.w.StartArray();
  for (const auto& a : page.rows) write_action(b.w, a);
  b.w.EndArray();
  if (page.more) json::kv(b.w, "NextToken", pagination::encode(page.rows.back().arn));
  b.w.EndObject();
  return b.done();
}

Outcome delete_scheduled_action(OpContext& ctx, const json::Value& in) {
  auto k = key_of(in);
  std::string name(json::view(in["ScheduledActionName"]));
  state::ScalingStore store(ctx.db, ctx.scope());
  auto a = store.scheduled_action(k, name);
  if (!a) return errors::scheduled_action_not_found(k, name);
  store.delete_scheduled_action(a->arn);
  return Outcome::ok("{}");
}

}  // namespace

void register_scheduled_actions(OperationTable& t) {
  t.add("application-autoscaling", "PutScheduledAction", put_scheduled_action, Access::Write);
  t.add("application-autoscaling", "DescribeScheduledActions", describe_scheduled_actions, Access::Read);
  t.add("application-autoscaling", "DeleteScheduledAction", delete_scheduled_action, Access::Write);
}

}  // namespace berth::api::autoscaling
