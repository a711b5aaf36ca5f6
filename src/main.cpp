// Startup and shutdown order; nothing else.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <sys/resource.h>

#include "api/caller_checks.h"
#include "api/dispatcher.h"
#include "api/http_server.h"
#include "api/listener_policy.h"
#include "api/logs/query_runner.h"
#include "api/metadata_routes.h"
#include "api/operation_table.h"
#include "api/registry_routes.h"
#include "api/router.h"
#include "api/services.h"
#include "cli.h"
#include "api/identity.h"
#include "iam/credentials.h"
#include "elb/data_plane.h"
#include "maintenance.h"
#include "state/iam_store.h"
#include "metrics/alarm_evaluator.h"
#include "metrics/periods.h"
#include "runtime/stats_sampler.h"
#include "scaling/scaling_actions.h"
#include "scaling/scheduled_scaling.h"
#include "state/ecs_service_store.h"
#include "state/metrics_store.h"
#include "registry/images.h"
#include "runtime/docker_client.h"
#include "runtime/image_source.h"
#include "runtime/instance_dir.h"
#include "runtime/task_engine.h"
#include "registry/lifecycle_apply.h"
#include "state/ecr_store.h"
#include "state/logs_store.h"
#include "common/clock.h"
#include "ecs/service_scheduler.h"
#include "common/logging.h"
#include "image_command.h"
#include "state/db.h"

namespace fs = std::filesystem;
using namespace berth;

namespace {
// arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME from Application Auto Scaling's ResourceId.
std::string ecs_service_arn(const state::Scope& scope, const std::string& resource_id) {
  return "arn:aws:ecs:" + scope.region + ":" + scope.account + ":" + resource_id;
}

// Requests on berth's port whose Host names a load balancer go to the ELB data plane.
struct LoadBalancerHosts final : api::ConnectionTaker {
  elb::DataPlane& plane;
  explicit LoadBalancerHosts(elb::DataPlane& p) : plane(p) {}
  bool takes(std::string_view host) const override { return plane.serves_host(host); }
  void take(int fd, std::string initial, std::string host) override { plane.adopt(fd, std::move(initial), std::move(host)); }
};

// berth runs containers through the Docker socket: whoever reaches its API is root on this host.
void warn_if_exposed(const std::string& host, unsigned short port) {
  if (api::is_loopback_address(host)) return;
  spdlog::warn("listening on {}:{}, which is not a loopback address: anyone who can reach it can call berth's "
               "ECS, ECR and Logs APIs without a verified signature, push and pull images, and run containers "
               "through this machine's Docker daemon (with --allow-host-access, as root on this host). "
               "Requests must still carry a Host this berth answers to (--allow-host)",
               host, port);
}

int serve(Config cfg, const MetricsArgs& knobs) {
  auto t0 = std::chrono::steady_clock::now();
  if (!logging::setup(cfg.log_level)) {
    std::cerr << "berth: unknown log level " << cfg.log_level << "\n";
    return 2;
  }
  fs::path dir;
  if (cfg.ephemeral) {
    std::string tmpl = (fs::temp_directory_path() / "berth-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      spdlog::critical("cannot create a temporary data directory");
      return 1;
    }
    dir = tmpl;
  } else {
    dir = cfg.data_dir.empty() ? Config::default_data_dir() : cfg.data_dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      spdlog::critical("cannot create data directory {}: {}", dir.string(), ec.message());
      return 1;
    }
  }
  cfg.data_dir = dir.string();

  // Tells other berths on this daemon that this one lives (its leftovers are theirs to remove
  // once it is gone: runtime/instance_dir.h).
  runtime::InstanceLock instance_lock(dir.string(), cfg.ephemeral);
  if (!instance_lock.held()) spdlog::warn("another berth may be using the data directory {}", dir.string());
  int rc = 0;
  try {
    state::Database db((dir / "berth.db").string());
    api::OperationTable ops;
    api::register_services(ops);
    SystemClock clock;
    registry::BlobStore blobs((dir / "registry").string());
    registry::Uploads uploads(blobs);
    registry::TokenIssuer tokens((dir / "registry" / "secret").string());
    auto minter = iam::CredentialMinter::from_file((dir / "sts-secret").string());
    // --credentials: the keys whose signatures berth verifies on every call.
    std::optional<api::StaticKeys> static_keys;
    if (!cfg.credentials_file.empty()) {
      std::string error;
      static_keys = api::load_credentials_file(cfg.credentials_file, error);
      if (!static_keys) {
        spdlog::critical("--credentials: {}", error);
        return 1;
      }
    }
    auto docker = runtime::make_docker_client();
    // Bound once the task engine has made the Docker network whose gateway is its address.
    std::function<unsigned short()> metadata_ready = [] { return static_cast<unsigned short>(0); };
    // The engine reports task changes to the scheduler, made just after it.
    ecs::ServiceScheduler* scheduler_ready = nullptr;
    // The scheduler's target writes wake the ELB data plane, made just after it.
    elb::DataPlane* load_balancers_ready = nullptr;
    // The registry host is known once the port is bound; the planner reads it then.
    runtime::TaskEngine engine(db, *docker, clock, [&](const std::string& image, const std::string& account,
                                                      const std::string& region) {
      return runtime::berth_registry_planner(cfg.registry_host, [&](const std::string& a, const std::string& r) {
        return tokens.issue(a, r, clock.now_millis() + registry::TokenIssuer::kLifetimeMillis,
                            registry::TokenIssuer::kBerthPrincipal);
      })(image, account, region);
    }, {.instance = cfg.data_dir, .on_metadata_network = [&] { return metadata_ready(); },
        .ephemeral = cfg.ephemeral, .warm_namespaces = cfg.warm_namespaces, .secrets_file = cfg.secrets_file,
        .on_task_changed = [&](const std::string& arn, const std::optional<std::string>& group) {
          if (scheduler_ready) scheduler_ready->task_changed(arn, group);
        }});
    ecs::ServiceScheduler scheduler(db, clock, {
        .healthy_after = std::chrono::seconds(cfg.service_healthy_after),
        .allow_host_access = cfg.allow_host_access,
        .enforce_iam = cfg.enforce_iam,
        .event_repeat = std::chrono::seconds(cfg.service_event_repeat),
        .docker_status = [&] { return ecs::DockerStatus{engine.docker_ok(), engine.docker_problem(), ecs::host_of(engine.host_info())}; },
        .wake_tasks = [&](const std::vector<std::string>& arns) { engine.wake(arns); },
        .targets_written = [&] {
          if (load_balancers_ready) load_balancers_ready->wake();
        }});
    scheduler_ready = &scheduler;
    elb::DataPlaneOptions elb_options;
    elb_options.health_check_scale = cfg.elb_health_check_scale;
    elb_options.metrics_publish_every = std::chrono::seconds(knobs.metrics_publish_seconds);
    // Health changes and ended draining wake the services whose tasks own those targets.
    elb_options.on_targets_changed = [&](const std::vector<std::string>& groups) { scheduler.targets_changed(groups); };
    elb::DataPlane load_balancers(db, clock, elb_options);
    load_balancers_ready = &load_balancers;
    // Alarm actions run Application Auto Scaling policies, which set an ECS service's
    // desiredCount (and its PRIMARY deployment's) in the policy's transaction and wake the
    // scheduler once it has committed.
    scaling::ServiceCapacity service_capacity{
        .read = [](state::Connection& c, const state::Scope& scope, const std::string& resource_id)
            -> std::optional<scaling::ServiceCapacity::Now> {
          state::ServiceStore store(c);
          auto s = store.get(ecs_service_arn(scope, resource_id));
          if (!s || s->status != "ACTIVE") return std::nullopt;
          return scaling::ServiceCapacity::Now{s->desired_count, store.deployments(s->arn).size() > 1};
        },
        .set_desired = [&](state::Connection& c, const state::Scope& scope, const std::string& resource_id,
                           std::int64_t n) {
          state::ServiceStore store(c);
          auto s = store.get(ecs_service_arn(scope, resource_id));
          if (!s) return;
          s->desired_count = n;
          s->steady = false;
          store.put(*s);
          for (auto& d : store.deployments(s->arn))
            if (d.status == "PRIMARY") {
              d.desired_count = n;
              d.updated_at = clock.now_millis();
              store.put_deployment(d);
            }
        },
        .wake = [&](const state::Scope& scope, const std::string& resource_id) {
          scheduler.wake(ecs_service_arn(scope, resource_id));
        }};
    scaling::ScalingActions scaling_actions(db, clock, service_capacity, cfg.scaling_time_scale);
    scaling::ScheduledScaling scheduled_scaling(db, clock, service_capacity);
    runtime::StatsSampler stats(db, *docker, clock,
                                {std::chrono::seconds(knobs.stats_interval_seconds),
                                 std::chrono::seconds(knobs.metrics_publish_seconds)});
    metrics::AlarmEvaluator alarms(db, clock, std::chrono::seconds(knobs.alarm_interval_seconds),
                                   [&](const metrics::FiredActions& f) { scaling_actions.on_alarm(f); });
    api::logs::QueryRunner log_queries(db, clock);
    api::Dispatcher dispatcher(ops, db, clock, cfg, {&blobs, &uploads, &tokens, &engine, &minter,
                                                      static_keys ? &*static_keys : nullptr, &scheduler,
                                                      [&] { load_balancers.wake(); }, &log_queries, &service_capacity});
    api::RegistryRoutes registry_routes(db, blobs, uploads, tokens, clock, cfg);
    if (static_keys) {
      // --credentials: a registry token counts only while the key it was issued to verifies.
      registry_routes.set_principal_check([&](std::string_view principal) {
        if (principal == registry::TokenIssuer::kBerthPrincipal) return true;
        if (principal.empty()) return false;  // issued while keys were not verified
        std::optional<api::Identity> who;
        db.read([&](state::Connection& c) {
          who = api::identify(c, &minter, &*static_keys, principal, cfg.account_id, clock.now_millis());
        });
        return who.has_value();
      });
    }
    // The engine pauses, the database is wiped, and the engine's own thread removes the
    // containers (an HTTP thread never waits on Docker).
    api::Router router(dispatcher, db, &registry_routes, [&] {
      engine.reset([&] { db.wipe(); });
      log_queries.clear();
      load_balancers.wake();
    });
    // Filled once the registry host is known (after bind), before the first request.
    api::LoopbackPolicy loopback_policy;
    api::GuardedHandler loopback(router, [&](const api::HttpRequest& r) { return api::check_loopback(r, loopback_policy); });
    api::TaskSignature signed_by_task = [&](const api::HttpRequest& r) {
      return api::signed_with_task_key(db, minter, r, cfg.account_id, clock.now_millis());
    };
    api::GuardedHandler task_facing(router, [&](const api::HttpRequest& r) { return api::check_task_facing(r, signed_by_task); });
    api::HttpServer server(loopback, {.host = cfg.listen_host, .port = cfg.listen_port, .threads = cfg.threads});
    LoadBalancerHosts load_balancer_hosts(load_balancers);
    server.set_connection_taker(&load_balancer_hosts);
    api::MetadataRoutes metadata_routes(db, *docker, clock, task_facing, minter);
    metadata_routes.cached_stats = [&](const std::string& id) { return stats.last_stats(id); };
    metadata_ready = [&] { return server.add_listener("169.254.170.2", 80, metadata_routes); };
    Maintenance maintenance;
    maintenance.add("registry-cleanup", std::chrono::minutes(5), [&] {
      // Uploads idle for an hour were abandoned; links no manifest uses after a day came from
      // pushes that never finished. Their blobs go with them.
      uploads.expire_idle(std::chrono::hours(1));
      blobs.remove_stale_uploads(std::chrono::hours(1));
      db.write([&](state::Connection& c) {
        state::EcrStore store(c, {cfg.account_id, cfg.region});
        store.unlink_stale(clock.now_millis() - 24LL * 3600 * 1000);
        registry::collect_garbage(store, blobs);
        registry::sweep_orphan_files(store, blobs, std::chrono::hours(1));
        return true;
      });
    });
    maintenance.add("stopped-tasks", std::chrono::minutes(1), [&] {
      engine.collect_stopped(clock.now_millis() - 3600 * 1000);  // ECS shows stopped tasks for an hour
    });
    maintenance.add("logs-retention", std::chrono::minutes(1), [&] {
      db.write([&](state::Connection& c) {
        state::expire_log_events(c, clock.now_millis());
        return true;
      });
    });
    maintenance.add("metrics-rollup", std::chrono::minutes(10), [&] {
      // CloudWatch keeps 1-minute data 15 days, 5-minute 63 days, 1-hour 455 days.
      auto now = clock.now_millis();
      db.write([&](state::Connection& c) {
        state::MetricsStore::roll_up(c, now - metrics::kMinuteKept, now - metrics::kFiveMinuteKept, now - metrics::kHourKept);
        return true;
      });
    });
    maintenance.add("ecr-lifecycle-policies", std::chrono::minutes(10), [&] {
      registry::apply_lifecycle_policies(db, blobs, clock.now_millis());
    });
    // Minted keys past their expiry no longer verify (api/identity); their rows go at start and
    // every 10 minutes. A running task's key is derived from its credentials id and its row is
    // written again, with a new expiry, whenever the task fetches its credentials, which SDKs do
    // before the old ones expire (as with ECS's own refreshed credentials).
    auto sweep_sts_credentials = [&] {
      db.write([&](state::Connection& c) {
        state::StsCredentialStore(c).remove_expired(clock.now_millis());
        return true;
      });
    };
    sweep_sts_credentials();
    maintenance.add("sts-credentials", std::chrono::minutes(10), sweep_sts_credentials);
    unsigned short port = server.bind();
    if (cfg.registry_host.empty()) cfg.registry_host = "localhost:" + std::to_string(port);
    loopback_policy.allowed_hosts = cfg.allowed_hosts;
    loopback_policy.allowed_hosts.push_back(cfg.listen_host.find(':') != std::string::npos ? "[" + cfg.listen_host + "]"
                                                                                          : cfg.listen_host);
    loopback_policy.allowed_hosts.push_back(cfg.registry_host);
    warn_if_exposed(cfg.listen_host, port);
    load_balancers.set_api_port(port);
    maintenance.start();
    engine.start();
    scheduler.start();
    load_balancers.start();
    alarms.start();
    scheduled_scaling.start();
    stats.start();
    server.run([&] {
      auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      spdlog::info("berth {} listening on {}:{} (data {}, account {}, region {}, ready in {:.1f} ms)",
                   BERTH_VERSION, cfg.listen_host, port, cfg.data_dir, cfg.account_id, cfg.region, ms);
    });
    // Each part's stop is timed: a slow exit names the part that held it.
    auto timed_stop = [](const char* part, auto&& stop) {
      auto start = std::chrono::steady_clock::now();
      stop();
      auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      spdlog::log(ms >= 1000 ? spdlog::level::info : spdlog::level::debug, "stopped {} in {:.0f} ms", part, ms);
    };
    timed_stop("the stats sampler", [&] { stats.stop(); });
    timed_stop("scheduled scaling", [&] { scheduled_scaling.stop(); });
    timed_stop("the alarm evaluator", [&] { alarms.stop(); });
    timed_stop("the load balancers", [&] { load_balancers.stop(); });
    timed_stop("the service scheduler", [&] { scheduler.stop(); });
    timed_stop("the task engine", [&] { engine.stop(); });
    timed_stop("housekeeping", [&] { maintenance.stop(); });
    spdlog::info("stopped");
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    rc = 1;
  }
  if (cfg.ephemeral) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  return rc;
}
}  // namespace

namespace {
// Every HTTP client, Docker call and relayed task connection holds descriptors; the soft limit
// (often 1024) would be the first thing a busy berth runs out of.
void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}
}  // namespace

int main(int argc, char** argv) {
  std::string error;
  auto cmd = parse_command_line(argc, argv, error);
  if (!cmd) {
    std::cerr << "berth: " << error << "\n\n" << usage();
    return 2;
  }
  switch (cmd->kind) {
    case Command::Kind::Version:
      std::cout << "berth " << BERTH_VERSION << "\n";
      return 0;
    case Command::Kind::Help:
      std::cout << usage();
      return 0;
    case Command::Kind::Coverage: {
      api::OperationTable ops;
      api::register_services(ops);
      std::cout << ops.coverage();
      return 0;
    }
    case Command::Kind::Serve:
      raise_descriptor_limit();
      return serve(cmd->config, cmd->metrics);
    case Command::Kind::Image:
      return run_image_command(*cmd);
  }
  return 0;
}
