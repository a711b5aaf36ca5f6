#include "ecs/service_scheduler.h"

#include "state/ecs_container_instance_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/arn.h"
#include "common/ids.h"
#include "ecs/load_balancing.h"
#include "state/ecs_cluster_store.h"
#include "state/ecs_service_store.h"
#include "state/ecs_service_target_store.h"
#include "state/ecs_task_definition_store.h"
#include "state/ecs_task_store.h"
#include "state/elbv2_store.h"
#include "state/tags_store.h"

namespace berth::ecs {
namespace {
using state::DeploymentRow;
using state::ServiceRow;
using state::ServiceTargetRow;
using state::TaskRow;
using Doc = rapidjson::Document;

constexpr std::int64_t kPurgeAfter = 3600 * 1000;  // INACTIVE services go after an hour
// While tasks are on their way (starting, stopping, draining) a service is looked at this often
// besides the engine's task-changed word, in case one is missed; a steady service is not looked
// at until something wakes it (or the sweep).
constexpr std::int64_t kInFlightPoll = 2000;
// A launch that failed (ECS could not assume a task's role, ...) or found no place is tried again
// this much later.
constexpr std::int64_t kLaunchRetry = 30000;

bool stopped(const TaskRow& t) { return t.last_status == "STOPPED"; }
bool live(const TaskRow& t) { return t.desired_status == "RUNNING" && !stopped(t); }
bool stopping(const TaskRow& t) { return t.desired_status == "STOPPED" && !stopped(t); }
std::string task_id(const TaskRow& t) { return t.arn.substr(t.arn.rfind('/') + 1); }

Doc parse(const std::string& text) {
  Doc d;
  d.Parse(text.c_str(), text.size());
  if (!d.IsObject()) d.SetObject();
  return d;
}

// One reconcile pass over one service, inside the caller's write transaction.
class Pass {
 public:
  Pass(state::Connection& c, const SchedulerOptions& opt, std::int64_t now)
      : c_(c), opt_(opt), now_(now), store_(c), target_store_(c) {}

  PassResult run(const std::string& arn) {
    auto found = store_.get(arn);
    if (!found) return result_;
    svc_ = std::move(*found);
    if (svc_.status == "INACTIVE") {
      if (now_ >= svc_.status_at + kPurgeAfter) {
        store_.remove(arn);
        state::TagsStore(c_).remove_all(arn);
      } else {
        wake_at(svc_.status_at + kPurgeAfter);
      }
      return result_;
    }
    sdoc_ = parse(svc_.doc);
    deps_ = store_.deployments(arn);
    load_tasks();
    account_for_stopped();
    elb_.emplace(c_, state::Scope{svc_.account, svc_.region});
    targets_ = target_store_.of_service(arn);
    sync_targets();
    if (svc_.status == "DRAINING")
      drain();
    else if (!deps_.empty())
      deploy();
    save();
    return result_;
  }

 private:
  void wake_at(std::int64_t at) { result_.wake_at = result_.wake_at ? std::min(*result_.wake_at, at) : at; }
  void emit(const std::string& message) { events_.push_back(message); }
  // For messages that would repeat every pass while a condition lasts: said again only once
  // something else was said, or after event_repeat (ECS repeats a standing cause every six hours).
  void emit_once(const std::string& message) {
    if (!events_.empty() && events_.back() == message) return;
    if (events_.empty()) {
      auto stored = store_.events(svc_.arn);
      if (!stored.empty() && stored.front().message == message &&
          now_ - stored.front().created_at < opt_.event_repeat.count())
        return;
    }
    emit(message);
  }

  DeploymentRow* deployment_of(const TaskRow& t) {
    for (auto& d : deps_)
      if (t.started_by && *t.started_by == d.id) return &d;
    return nullptr;
  }

  void load_tasks() {
    state::TaskStore ts(c_);
    state::TaskFilter f;
    f.cluster = svc_.cluster;
    f.service_group = "service:" + svc_.name;
    for (const auto& a : ts.list({svc_.account, svc_.region}, f, "", 1 << 30))
      if (auto t = ts.get(a)) tasks_.push_back(std::move(*t));
  }

  // Tasks that stopped since the last pass: failures to start feed the circuit breaker and the throttle.
  void account_for_stopped() {
    store_.prune_notes(svc_.arn);
    bool any_running = false;
    for (const auto& t : tasks_) {
      DeploymentRow* d = deployment_of(t);
      if (d && t.started_at && !d->ran) {
        // Once a task of a deployment runs, its failed count resets and stops being evaluated.
        d->ran = true;
        d->failed_tasks = 0;
        touch(*d);
      }
      // Only the PRIMARY's tasks speak for the deployment being throttled: old ones run anyway.
      any_running |= live(t) && t.last_status == "RUNNING" && !deps_.empty() && d == &deps_.front();
      if (!stopped(t) || !store_.note_stopped(svc_.arn, t.arn)) continue;
      bool failed_start = !t.started_at && t.stop_code != std::optional<std::string>("ServiceSchedulerInitiated") &&
                          t.stop_code != std::optional<std::string>("UserInitiated");
      if (!failed_start) continue;
      ++svc_.failed_starts;
      if (d && !d->ran && d->rollout_state == "IN_PROGRESS") {
        ++d->failed_tasks;
        touch(*d);
      }
    }
    // A PRIMARY task that reaches RUNNING ends the throttle.
    if (any_running && svc_.failed_starts > 0) {
      svc_.failed_starts = 0;
      svc_.retry_at.reset();
    }
  }

  void touch(DeploymentRow& d) { d.updated_at = now_; }

  // Writes only the stop fields (the engine's status writes cannot lose it, nor it theirs).
  bool request_stop(TaskRow& t, const std::string& reason) {
    if (!state::TaskStore(c_).request_stop(t.arn, "ServiceSchedulerInitiated", reason, now_)) return false;
    t.desired_status = "STOPPED";
    result_.stopped.push_back(t.arn);
    svc_.steady = false;
    return true;
  }

  // DeleteService: every task stops (after its targets drained); once all are STOPPING or
  // STOPPED and no target of the service is left, the service is INACTIVE.
  void drain() {
    std::vector<std::string> ids;
    std::string reason = scaling_stop_reason(deps_.empty() ? "" : deps_.front().id);
    for (auto& t : tasks_)
      if (is_live(t) && begin_stop(t, reason)) ids.push_back(task_id(t));
    if (!ids.empty()) emit(events::stopped_tasks(svc_.name, ids));
    bool done = targets_.empty() && std::all_of(tasks_.begin(), tasks_.end(), [](const TaskRow& t) {
      return t.desired_status == "STOPPED" &&
             (t.last_status == "STOPPING" || t.last_status == "DEPROVISIONING" || t.last_status == "STOPPED");
    });
    if (done) {
      svc_.status = "INACTIVE";
      svc_.status_at = now_;
      wake_at(now_ + kPurgeAfter);
    } else {
      wake_at(now_ + kInFlightPoll);
    }
  }

  // The containers of a task definition that have health checks.
  const std::vector<std::string>& checked(const std::string& td_arn) {
    auto it = checked_.find(td_arn);
    if (it != checked_.end()) return it->second;
    std::vector<std::string> names;
    if (auto td = definition(td_arn)) {
      Doc doc = parse(td->doc);
      if (const json::Value* defs = json::member(doc, "containerDefinitions"))
        for (const auto& c : defs->GetArray())
          if (json::member(c, "healthCheck")) names.emplace_back(json::view(c["name"]));
    }
    return checked_[td_arn] = std::move(names);
  }

  std::optional<state::TaskDefinitionRow> definition(const std::string& td_arn) {
    auto arn = Arn::parse(td_arn);
    if (!arn) return std::nullopt;
    std::string_view id = arn->resource_id();
    auto colon = id.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    return state::TaskDefinitionStore(c_, {svc_.account, svc_.region})
        .get(id.substr(0, colon), std::stoll(std::string(id.substr(colon + 1))));
  }

  TaskHealth health(const TaskRow& t) {
    DeploymentRow* d = deployment_of(t);
    const auto& names = checked(d ? d->task_definition : t.task_definition_arn);
    return task_health(t, names, rule_, now_, target_verdict(t));
  }
  bool healthy(const TaskRow& t) { return health(t) == TaskHealth::Healthy; }

  void deploy() {
    const json::Value* config = json::member(sdoc_, "deploymentConfiguration");
    int min_pct = config ? static_cast<int>(json::get_int(*config, "minimumHealthyPercent").value_or(100)) : 100;
    int max_pct = config ? static_cast<int>(json::get_int(*config, "maximumPercent").value_or(200)) : 200;
    const json::Value* breaker = config ? json::member(*config, "deploymentCircuitBreaker") : nullptr;
    bool breaker_on = breaker && json::get_bool(*breaker, "enable").value_or(false);
    bool rollback = breaker && json::get_bool(*breaker, "rollback").value_or(false);
    rule_.healthy_after = opt_.healthy_after;
    rule_.grace = std::chrono::seconds(json::get_int(sdoc_, "healthCheckGracePeriodSeconds").value_or(0));
    int desired = static_cast<int>(svc_.desired_count);

    // Tasks whose container health checks fail are replaced (and count against the deployment).
    for (auto& t : tasks_) {
      DeploymentRow* d = deployment_of(t);
      if (!is_live(t) || !failed_health_checks(t, checked(d ? d->task_definition : t.task_definition_arn), rule_, now_))
        continue;
      emit(events::failed_health_checks(svc_.name, task_id(t)));
      if (!begin_stop(t, std::string(kHealthStopReason))) continue;
      if (d && d->rollout_state == "IN_PROGRESS") {
        ++d->failed_tasks;
        touch(*d);
      }
    }
    replace_elb_unhealthy();

    breaker_threshold_ = breaker_on ? circuit_breaker_threshold(desired) : 0;
    if (breaker_on && deps_[0].rollout_state == "IN_PROGRESS" && deps_[0].failed_tasks >= breaker_threshold_)
      trip_breaker(rollback);
    DeploymentRow& primary = deps_[0];

    StepInput in;
    in.desired = desired;
    in.minimum_healthy_percent = min_pct;
    in.maximum_percent = max_pct;
    std::vector<TaskRow*> primary_live, old_live;
    // Tasks on a DRAINING container instance are replaced like an old deployment's: new ones
    // start elsewhere within maximumPercent, then they stop within minimumHealthyPercent.
    std::set<std::string> draining;
    for (const auto& i : state::ContainerInstanceStore(c_, {svc_.account, svc_.region}).in_cluster(svc_.cluster))
      if (i.status == "DRAINING") draining.insert("\"containerInstanceArn\":\"" + i.arn + "\"");
    auto on_draining = [&](const TaskRow& t) {
      return std::any_of(draining.begin(), draining.end(), [&](const std::string& k) { return t.doc.find(k) != std::string::npos; });
    };
    for (auto& t : tasks_) {
      if (is_stopping(t)) ++in.stopping;
      if (!is_live(t)) continue;
      TaskHealth h = health(t);
      if (deployment_of(t) == &primary && !on_draining(t)) {
        primary_live.push_back(&t);
        ++in.primary_live;
        in.primary_healthy += h == TaskHealth::Healthy;
      } else {
        old_live.push_back(&t);
        ++in.old_live;
        in.old_healthy += h == TaskHealth::Healthy;
        in.old_pending += h == TaskHealth::Pending;
      }
    }
    in.may_start = may_start(primary, desired - in.primary_live);
    Step step = plan_step(in);

    // Scale-in stops the newest tasks first; old deployments lose their unhealthy tasks first.
    std::vector<std::string> stopped_ids;
    std::string reason = scaling_stop_reason(primary.id);
    std::sort(primary_live.begin(), primary_live.end(), [](auto* a, auto* b) { return a->created_at > b->created_at; });
    for (int i = 0; i < step.stop_primary && i < static_cast<int>(primary_live.size()); ++i)
      if (begin_stop(*primary_live[i], reason)) stopped_ids.push_back(task_id(*primary_live[i]));
    int unhealthy_left = step.stop_old_unhealthy, pending_left = step.stop_old_pending,
        healthy_left = step.stop_old_healthy;
    std::sort(old_live.begin(), old_live.end(), [](auto* a, auto* b) { return a->created_at > b->created_at; });
    for (auto* t : old_live) {
      TaskHealth h = health(*t);
      int& budget = h == TaskHealth::Healthy ? healthy_left : h == TaskHealth::Pending ? pending_left : unhealthy_left;
      if (budget <= 0) continue;
      --budget;
      if (begin_stop(*t, reason)) stopped_ids.push_back(task_id(*t));
    }
    if (!stopped_ids.empty()) emit(events::stopped_tasks(svc_.name, stopped_ids));
    if (step.start > 0) start_tasks(primary, step.start);
    if (step.stuck) emit_once(events::unable_to_stop_or_start(svc_.name));

    finish(primary, desired);
  }

  // Whether new PRIMARY tasks may be started now: not FAILED, Docker there, not throttled.
  bool may_start(DeploymentRow& primary, int wanted) {
    if (primary.rollout_state == "FAILED") return false;
    DockerStatus docker = opt_.docker_status();
    if (!docker.ok) {
      if (wanted > 0) emit_once(events::unable_to_place(svc_.name, "AGENT: Docker is not reachable: " + docker.problem));
      wake_at(now_ + 5000);
      return false;
    }
    if (wanted <= 0 || svc_.failed_starts < kThrottleAfterFailures) return true;
    if (!svc_.retry_at) {
      svc_.retry_at = now_ + throttle_delay(static_cast<int>(svc_.failed_starts)).count();
      emit_once(events::unable_to_start_consistently(svc_.name));
    }
    if (now_ < *svc_.retry_at) {
      wake_at(*svc_.retry_at);
      return false;
    }
    svc_.retry_at.reset();
    return true;
  }

  // The PRIMARY failed too often: it is FAILED and, with rollback, the last COMPLETED
  // deployment's configuration comes back as a new PRIMARY.
  void trip_breaker(bool rollback) {
    DeploymentRow& failed = deps_[0];
    failed.rollout_state = "FAILED";
    failed.rollout_state_reason = rollout_failed();
    touch(failed);
    emit(events::deployment_failed(svc_.name, failed.id));
    const json::Value* last = json::member(sdoc_, "lastCompletedDeployment");
    if (!rollback || !last) return;
    DeploymentRow back;
    back.id = new_deployment_id();
    back.service_arn = svc_.arn;
    back.task_definition = std::string(json::get_string(*last, "taskDefinition").value_or(""));
    back.desired_count = svc_.desired_count;
    std::string previous(json::get_string(*last, "id").value_or(""));
    back.rollout_state_reason = rollout_rolling_back(previous);
    back.created_at = back.updated_at = now_;
    if (const json::Value* d = json::member(*last, "deployment")) back.doc = json::dump(*d);
    failed.status = "ACTIVE";
    svc_.task_definition = back.task_definition;
    svc_.failed_starts = 0;
    svc_.retry_at.reset();
    emit(events::rolling_back(svc_.name, previous));
    deps_.insert(deps_.begin(), std::move(back));
  }

  // ECS could not launch `count` tasks (a role it cannot assume, a definition it refuses now):
  // each is a failed task of the deployment for the circuit breaker, as ECS counts them, and the
  // launch is tried again later. Failed launches do not feed the throttle: no task went
  // PENDING to STOPPED.
  void failed_launch(DeploymentRow& primary, int count, const std::string& error) {
    emit_once(events::failed_to_launch(svc_.name, error));
    wake_at(now_ + kLaunchRetry);
    if (primary.ran || primary.rollout_state != "IN_PROGRESS") return;
    primary.failed_tasks += count;
    touch(primary);
    // The breaker trips at the start of a pass: have the next one now.
    if (breaker_threshold_ > 0 && primary.failed_tasks >= breaker_threshold_) wake_at(now_);
  }

  void start_tasks(DeploymentRow& primary, int count) {
    auto td = definition(primary.task_definition);
    auto cluster = state::ClusterStore(c_, {svc_.account, svc_.region}).get(svc_.cluster);
    if (!td || !cluster || cluster->status != "ACTIVE") {
      emit_once(events::unable_to_place(svc_.name, "the task definition or the cluster no longer exists."));
      return;
    }
    Doc ddoc = parse(primary.doc);
    Doc req(rapidjson::kObjectType);
    auto& a = req.GetAllocator();
    for (const char* m : {"launchType", "capacityProviderStrategy", "networkConfiguration"})
      if (ddoc.HasMember(m)) req.AddMember(rapidjson::Value(m, a), rapidjson::Value(ddoc[m], a), a);
    for (const char* m : {"placementConstraints", "placementStrategy"})
      if (sdoc_.HasMember(m)) req.AddMember(rapidjson::Value(m, a), rapidjson::Value(sdoc_[m], a), a);
    req.AddMember("startedBy", rapidjson::Value(primary.id.c_str(), a), a);
    req.AddMember("group", rapidjson::Value(("service:" + svc_.name).c_str(), a), a);
    req.AddMember("enableExecuteCommand", json::get_bool(sdoc_, "enableExecuteCommand").value_or(false), a);
    req.AddMember("count", 1, a);
    std::vector<state::Tag> extra;
    std::string_view propagate = json::get_string(sdoc_, "propagateTags").value_or("NONE");
    if (propagate == "TASK_DEFINITION") req.AddMember("propagateTags", "TASK_DEFINITION", a);
    if (propagate == "SERVICE") extra = state::TagsStore(c_).list(svc_.arn);
    if (json::get_bool(sdoc_, "enableECSManagedTags").value_or(false)) {
      extra.emplace_back("aws:ecs:clusterName", svc_.cluster);
      extra.emplace_back("aws:ecs:serviceName", svc_.name);
    }
    std::vector<std::string> ids;
    while (count > 0) {
      int n = std::min(count, 10);
      req["count"].SetInt(n);
      auto placed = create_tasks(c_, {{svc_.account, svc_.region}, *cluster, *td, req, now_, opt_.docker_status(), extra,
                                      opt_.allow_host_access, {}, opt_.enforce_iam});
      if (auto* e = std::get_if<AwsError>(&placed)) {
        // No instance to place on is a placement problem (ECS's "unable to place" event, retried);
        // any other refusal is a failed launch that counts toward the circuit breaker.
        if (e->message == kNoInstances) {
          emit_once(unable_to_place_event(svc_.name, std::nullopt));
          wake_at(now_ + 30000);
        } else {
          failed_launch(primary, count, e->message);
        }
        break;
      }
      auto& p = std::get<Placement>(placed);
      if (!p.failures.empty()) {
        std::string on_instances = p.instance_event(svc_.name);
        emit_once(!on_instances.empty() ? on_instances
                                        : events::unable_to_place(svc_.name, p.failures[0].reason + ": " + p.failures[0].detail));
        if (!on_instances.empty()) wake_at(now_ + 30000);  // room may appear when tasks stop
      }
      for (auto& t : p.tasks) {
        ids.push_back(task_id(t));
        result_.started.push_back(t.arn);
        tasks_.push_back(std::move(t));
      }
      if (!p.failures.empty()) break;
      count -= n;
    }
    if (!ids.empty()) {
      emit(events::started_tasks(svc_.name, ids));
      svc_.steady = false;
    }
  }

  // Old deployments without tasks leave the list (a FAILED one stays, to be seen, until the
  // PRIMARY completes); a PRIMARY with all its tasks healthy and alone is COMPLETED and the
  // service steady.
  void finish(DeploymentRow& primary, int desired) {
    std::map<std::string, int> unfinished;
    int primary_healthy = 0, primary_live = 0, in_flight = 0;
    for (const auto& t : tasks_) {
      if (stopped(t)) continue;
      if (t.started_by) ++unfinished[*t.started_by];
      // Only the engine (or the data plane, for a draining task) moves these on: look again soon.
      if (is_stopping(t) || t.last_status != "RUNNING") ++in_flight;
      if (is_live(t) && t.started_by == std::optional<std::string>(primary.id)) {
        ++primary_live;
        primary_healthy += healthy(t);
      }
      if (auto dl = health_deadline(t, checked(t.task_definition_arn), rule_, now_)) wake_at(*dl);
    }
    for (const auto& r : targets_) in_flight += r.draining_until.has_value();
    std::string primary_id = primary.id;
    bool others_busy = false;
    for (auto it = deps_.begin(); it != deps_.end();) {
      bool old = it->id != primary_id;
      if (old && unfinished[it->id] == 0 && it->rollout_state != "FAILED") {
        store_.remove_deployment(it->id);
        it = deps_.erase(it);
        continue;
      }
      if (old) {
        others_busy |= unfinished[it->id] > 0;
        if (it->desired_count != 0) {
          it->desired_count = 0;
          touch(*it);
        }
      }
      ++it;
    }
    DeploymentRow& p = deps_.front();
    if (p.desired_count != desired) {
      p.desired_count = desired;
      touch(p);
    }
    bool steady = !others_busy && primary_live == desired && primary_healthy == desired && in_flight == 0 &&
                  result_.started.empty() && result_.stopped.empty();
    if (steady) {
      for (auto it = deps_.begin() + 1; it != deps_.end();) {
        store_.remove_deployment(it->id);
        it = deps_.erase(it);
      }
    }
    DeploymentRow& done = deps_.front();
    if (steady && done.rollout_state == "IN_PROGRESS") {
      done.rollout_state = "COMPLETED";
      done.rollout_state_reason = rollout_completed(done.id);
      touch(done);
      emit(events::deployment_completed(svc_.name, done.id));
      // What a circuit breaker rolls back to.
      auto& a = sdoc_.GetAllocator();
      rapidjson::Value last(rapidjson::kObjectType);
      last.AddMember("id", rapidjson::Value(done.id.c_str(), a), a);
      last.AddMember("taskDefinition", rapidjson::Value(done.task_definition.c_str(), a), a);
      Doc ddoc = parse(done.doc);
      last.AddMember("deployment", rapidjson::Value(ddoc, a), a);
      sdoc_.RemoveMember("lastCompletedDeployment");
      sdoc_.AddMember("lastCompletedDeployment", last, a);
    }
    if (steady) announce_steady();
    svc_.steady = steady;
    if (in_flight > 0 || !result_.started.empty() || !result_.stopped.empty()) wake_at(now_ + kInFlightPoll);
  }

  // "has reached a steady state." when the service gets there, and again every event_repeat
  // while it stays there, as ECS reports it periodically.
  void announce_steady() {
    std::string message = events::steady_state(svc_.name);
    std::optional<std::int64_t> last = svc_.steady ? store_.last_event_at(svc_.arn, message) : std::nullopt;
    if (last && now_ - *last < opt_.event_repeat.count()) {
      wake_at(*last + opt_.event_repeat.count());
      return;
    }
    emit(message);
    wake_at(now_ + opt_.event_repeat.count());
  }

  // Load balancing ----------------------------------------------------------------------------

  // The loadBalancers a task's deployment was made with (the service's for older deployments).
  const std::vector<LoadBalancerRef>& lbs_of(const TaskRow& t) {
    DeploymentRow* d = deployment_of(t);
    std::string key = d ? d->id : "";
    auto it = lbs_.find(key);
    if (it != lbs_.end()) return it->second;
    std::vector<LoadBalancerRef> lbs;
    Doc dd = parse(d ? d->doc : "{}");
    lbs = dd.HasMember("loadBalancers") ? load_balancers_of(dd) : load_balancers_of(sdoc_);
    return lbs_[key] = std::move(lbs);
  }

  ServiceTargetRow* row_of(const TaskRow& t, const std::string& tg) {
    for (auto& r : targets_)
      if (r.task_arn == t.arn && r.tg_arn == tg) return &r;
    return nullptr;
  }
  // The scheduler deregistered the task's targets to stop it: the stop waits for the draining.
  bool draining(const TaskRow& t) const {
    return std::any_of(targets_.begin(), targets_.end(),
                       [&](const ServiceTargetRow& r) { return r.task_arn == t.arn && r.stop_reason; });
  }
  bool is_live(const TaskRow& t) const { return live(t) && !draining(t); }
  bool is_stopping(const TaskRow& t) const { return stopping(t) || (live(t) && draining(t)); }

  std::string network_mode(const std::string& td_arn) {
    auto it = modes_.find(td_arn);
    if (it != modes_.end()) return it->second;
    std::string mode = "bridge";
    if (auto td = definition(td_arn)) mode = std::string(json::get_string(parse(td->doc), "networkMode").value_or("bridge"));
    return modes_[td_arn] = mode;
  }

  int deregistration_delay_millis(const std::string& tg) {
    auto row = elb_->target_group(tg);
    if (!row) return 0;
    auto attributes = parse(row->attributes);  // get_string's view points into it
    auto v = json::get_string(attributes, "deregistration_delay.timeout_seconds");
    int seconds = 300;
    if (v) try {
        seconds = std::stoi(std::string(*v));
      } catch (const std::exception&) {
      }
    return seconds * 1000;
  }

  // What the task's targets say; nullopt when its deployment has no load balancer.
  std::optional<TargetVerdict> target_verdict(const TaskRow& t) {
    const auto& lbs = lbs_of(t);
    if (lbs.empty()) return std::nullopt;
    std::vector<TargetHealth> health;
    for (const auto& lb : lbs) {
      ServiceTargetRow* r = row_of(t, lb.target_group_arn);
      auto target = r ? elb_->target(r->tg_arn, r->target_id, r->port) : std::nullopt;
      health.push_back(target ? TargetHealth{target->state, target->description} : TargetHealth{});
    }
    return verdict(health);
  }

  void deregister(ServiceTargetRow& r, const std::optional<std::string>& stop_reason) {
    std::int64_t until = now_ + deregistration_delay_millis(r.tg_arn);
    elb_->deregister_target(r.tg_arn, r.target_id, r.port, until);
    r.draining_until = until;
    r.stop_reason = stop_reason;
    target_store_.put(r);
    result_.targets_written = true;
    emit(events::deregistered_targets(svc_.name, r.tg_arn));
  }

  std::string deployment_id_of(const TaskRow& t) { return t.started_by.value_or(deps_.empty() ? "" : deps_[0].id); }

  // Stops a task the way ECS does behind a load balancer: its targets are deregistered and
  // drain first; the stop itself is requested by a later pass, once they have left their groups.
  bool begin_stop(TaskRow& t, const std::string& reason) {
    bool any = false;
    for (auto& r : targets_) {
      if (r.task_arn != t.arn || r.draining_until) continue;
      deregister(r, reason);
      any = true;
    }
    if (!any) return request_stop(t, reason);
    emit(events::began_draining(svc_.name, deployment_id_of(t)));
    svc_.steady = false;
    return true;
  }

  // Once per pass, before any decision: draining that ended lets stops go ahead; targets of
  // tasks that stopped (or are gone) are deregistered; RUNNING tasks get their targets.
  void sync_targets() {
    std::map<std::string, TaskRow*> by_arn;
    for (auto& t : tasks_) by_arn[t.arn] = &t;
    std::map<std::string, std::string> drained_stops;  // task ARN -> its stoppedReason
    std::set<std::string> draining_tasks;
    for (auto it = targets_.begin(); it != targets_.end();) {
      ServiceTargetRow& r = *it;
      TaskRow* t = by_arn.count(r.task_arn) ? by_arn[r.task_arn] : nullptr;
      auto target = elb_->target(r.tg_arn, r.target_id, r.port);
      bool gone = !target || (r.draining_until && target->state != state::target_state::draining);
      if (gone) {
        // Drained (or removed by hand, or its group deleted): the row goes.
        if (r.stop_reason && t) drained_stops[t->arn] = *r.stop_reason;
        target_store_.remove(r.task_arn, r.tg_arn);
        it = targets_.erase(it);
        continue;
      }
      if (!r.draining_until && (!t || !live(*t))) {
        // The task stopped (or was asked to by someone else, or no longer exists).
        deregister(r, std::nullopt);
        draining_tasks.insert(r.task_arn);
      }
      if (r.draining_until) wake_at(*r.draining_until + 1000);  // the data plane wakes us sooner
      ++it;
    }
    for (const auto& arn : draining_tasks) {
      TaskRow* t = by_arn.count(arn) ? by_arn[arn] : nullptr;
      emit(events::began_draining(svc_.name, t ? deployment_id_of(*t) : (deps_.empty() ? "" : deps_[0].id)));
    }
    // Stops whose targets have all drained.
    for (const auto& [arn, reason] : drained_stops) {
      TaskRow& t = *by_arn[arn];
      if (!draining(t) && live(t)) request_stop(t, reason);
    }
    register_running();
  }

  void register_running() {
    for (auto& t : tasks_) {
      if (!live(t) || draining(t) || t.last_status != "RUNNING") continue;
      for (const auto& lb : lbs_of(t)) {
        if (row_of(t, lb.target_group_arn) || !elb_->target_group(lb.target_group_arn)) continue;
        Doc tdoc = parse(t.doc);
        std::string ip(json::get_string(tdoc, "privateIp").value_or(""));
        auto address = target_address(t, network_mode(t.task_definition_arn), ip, lb);
        if (!address) continue;  // no address yet: the in-flight poll looks again
        elb_->register_target(lb.target_group_arn, address->id, address->port, std::nullopt, now_);
        ServiceTargetRow r;
        r.task_arn = t.arn;
        r.tg_arn = lb.target_group_arn;
        r.service_arn = svc_.arn;
        r.target_id = address->id;
        r.port = address->port;
        target_store_.put(r);
        targets_.push_back(std::move(r));
        result_.targets_written = true;
        svc_.steady = false;
        emit(events::registered_targets(svc_.name, lb.target_group_arn));
      }
    }
  }

  // Tasks RUNNING past healthCheckGracePeriodSeconds whose target is unhealthy are replaced
  // (after draining) and count against their deployment, as failed container checks do.
  void replace_elb_unhealthy() {
    for (auto& t : tasks_) {
      if (!is_live(t) || t.last_status != "RUNNING" || !t.started_at) continue;
      for (const auto& lb : lbs_of(t)) {
        ServiceTargetRow* r = row_of(t, lb.target_group_arn);
        auto target = r ? elb_->target(r->tg_arn, r->target_id, r->port) : std::nullopt;
        if (!target || target->state != state::target_state::unhealthy) continue;
        if (!past_grace(t, rule_.grace.count(), now_)) {
          wake_at(*t.started_at + rule_.grace.count());
          break;
        }
        std::string tg = r->tg_arn;
        emit(events::target_unhealthy(svc_.name, task_id(t), {r->target_id, r->port}, tg,
                                      target->description.value_or("Health checks failed")));
        begin_stop(t, elb_stop_reason(tg));
        emit(events::stopped_tasks(svc_.name, {task_id(t)}));
        if (DeploymentRow* d = deployment_of(t); d && d->rollout_state == "IN_PROGRESS") {
          ++d->failed_tasks;
          touch(*d);
        }
        break;
      }
    }
  }

  void save() {
    svc_.doc = json::dump(sdoc_);
    store_.put(svc_);
    if (svc_.status != "INACTIVE")
      for (const auto& d : deps_) store_.put_deployment(d);
    for (const auto& m : events_) store_.add_event(svc_.arn, {ids::uuid_v4(), now_, m});
  }

  state::Connection& c_;
  const SchedulerOptions& opt_;
  std::int64_t now_;
  state::ServiceStore store_;
  state::ServiceTargetStore target_store_;
  std::optional<state::Elbv2Store> elb_;
  std::vector<ServiceTargetRow> targets_;
  std::map<std::string, std::vector<LoadBalancerRef>> lbs_;  // by deployment id
  std::map<std::string, std::string> modes_;                 // task definition ARN -> networkMode
  ServiceRow svc_;
  Doc sdoc_;
  std::vector<DeploymentRow> deps_;
  std::vector<TaskRow> tasks_;
  std::map<std::string, std::vector<std::string>> checked_;
  HealthRule rule_;
  int breaker_threshold_ = 0;  // failed tasks that trip the circuit breaker; 0: it is off
  std::vector<std::string> events_;
  PassResult result_;
};
}  // namespace

std::string service_arn(std::string_view region, std::string_view account, std::string_view cluster,
                        std::string_view name) {
  return arns::ecs(region, account, "service/" + std::string(cluster) + "/" + std::string(name));
}

ServiceScheduler::ServiceScheduler(state::Database& db, const Clock& clock, SchedulerOptions options)
    : db_(db), clock_(clock), opt_(std::move(options)) {}

ServiceScheduler::~ServiceScheduler() { stop(); }

void ServiceScheduler::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void ServiceScheduler::stop() {
  {
    // Under the lock, so the loop cannot miss the notify between its check and its wait.
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ServiceScheduler::wake(const std::string& service_arn) {
  {
    std::lock_guard lock(mu_);
    due_.insert(service_arn);
  }
  cv_.notify_one();
}

void ServiceScheduler::task_changed(const std::string& task_arn, const std::optional<std::string>& group) {
  if (!group || !group->starts_with("service:")) return;
  auto arn = Arn::parse(task_arn);
  if (!arn || arn->resource_type() != "task") return;
  std::string_view rest = arn->resource_id();  // CLUSTER/ID
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return;
  wake(service_arn(arn->region, arn->account, rest.substr(0, slash), std::string_view(*group).substr(8)));
}

PassResult ServiceScheduler::reconcile(const std::string& arn) {
  PassResult r;
  db_.write([&](state::Connection& c) {
    r = Pass(c, opt_, clock_.now_millis()).run(arn);
    return true;
  });
  std::vector<std::string> touched = r.started;
  touched.insert(touched.end(), r.stopped.begin(), r.stopped.end());
  if (!touched.empty()) opt_.wake_tasks(touched);
  if (r.targets_written) opt_.targets_written();
  return r;
}

void ServiceScheduler::targets_changed(const std::vector<std::string>& target_groups) {
  std::vector<std::string> services;
  try {
    db_.read([&](state::Connection& c) { services = state::ServiceTargetStore(c).services_in(target_groups); });
  } catch (const std::exception& e) {
    spdlog::warn("service scheduler: cannot read service targets: {}", e.what());
    return;
  }
  for (const auto& arn : services) wake(arn);
}

void ServiceScheduler::loop() {
  auto next_sweep = std::chrono::steady_clock::now();
  while (!stopping_) {
    std::set<std::string> work;
    {
      std::unique_lock lock(mu_);
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_sweep - std::chrono::steady_clock::now());
      std::int64_t now = clock_.now_millis();
      for (const auto& [arn, at] : timers_) wait = std::min(wait, std::chrono::milliseconds(at - now));
      if (due_.empty() && wait.count() > 0) cv_.wait_for(lock, wait, [&] { return stopping_ || !due_.empty(); });
      if (stopping_) break;
      work.swap(due_);
      now = clock_.now_millis();
      for (auto it = timers_.begin(); it != timers_.end();) {
        if (it->second <= now) {
          work.insert(it->first);
          it = timers_.erase(it);
        } else {
          ++it;
        }
      }
    }
    if (std::chrono::steady_clock::now() >= next_sweep) {
      try {
        db_.read([&](state::Connection& c) {
          for (auto& a : state::ServiceStore(c).all_arns()) work.insert(a);
        });
      } catch (const std::exception& e) {
        spdlog::warn("service scheduler: cannot list services: {}", e.what());
      }
      next_sweep = std::chrono::steady_clock::now() + opt_.sweep;
    }
    for (const auto& arn : work) {
      if (stopping_) break;
      try {
        PassResult r = reconcile(arn);
        std::lock_guard lock(mu_);
        if (r.wake_at) {
          auto [it, fresh] = timers_.emplace(arn, *r.wake_at);
          if (!fresh) it->second = std::min(it->second, *r.wake_at);
        }
      } catch (const std::exception& e) {
        spdlog::warn("service scheduler: pass over {} failed: {}", arn, e.what());
      }
    }
  }
}

}  // namespace berth::ecs
