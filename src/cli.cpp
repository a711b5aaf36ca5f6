#include "cli.h"

#include <charconv>
#include <string_view>

namespace berth {

const char* usage() {
  return R"(berth - a local Amazon ECS/Fargate emulator (ECS, ECR and CloudWatch Logs APIs)

Usage:
  berth serve [options]     serve the AWS APIs and the image registry
  berth image import FILE.tar --repository NAME[:TAG] [--data-dir DIR] [--account-id ID] [--region R]
                            load a `docker save` archive or an OCI image layout tarball into a
                            repository (created if missing), without Docker; with no TAG the
                            archive's own tag is kept
  berth image export --repository NAME[:TAG] FILE.tar [--data-dir DIR] [--account-id ID] [--region R]
                            write an image (TAG defaults to latest) as a `docker save` archive
  berth --version           print the version
  berth --coverage          print which operations of each service model are implemented
  berth --help              print this help

Options of serve:
  --listen HOST:PORT        address to listen on (default 127.0.0.1:4566)
  --data-dir DIR            where state is kept (default ~/.local/share/berth)
  --ephemeral               keep state in a fresh temporary directory removed at exit
  --account-id ID           default 12-digit account id (default 000000000000)
  --region REGION           default region (default us-east-1)
  --log-level LEVEL         trace, debug, info, warn, err, critical or off (default info)
  --threads N               I/O threads (default: max(4, cores))
  --registry-auth MODE      ecr (default: docker login with the ECR token) or none
  --registry-host HOST      host[:port] in repository URIs (default localhost:PORT)
  --secrets-file FILE       JSON object giving tasks the values of their secrets (Secrets Manager
                            ARNs, SSM parameters), repositoryCredentials and S3 environmentFiles
  --warm-namespaces N       pause containers kept ready once awsvpc tasks run (default 2, 0: none)
  --allow-host NAME         also serve requests whose Host header is NAME (repeatable); berth
                            answers only localhost, 127.0.0.1, [::1], *.localhost, the --listen
                            and --registry-host names otherwise (against DNS rebinding)
  --allow-host-access       let EC2 and EXTERNAL tasks be privileged, use host networking, host
                            paths, devices and added capabilities (root on this machine); FARGATE
                            tasks never can
  --credentials FILE        verify the SigV4 signature of every AWS API call against these keys:
                            {"AKID": {"secretAccessKey": "...", "accountId": "123456789012"}};
                            keys berth minted (STS, task roles) always verify with their secret
  --enforce-iam             evaluate calls signed with task role or AssumeRole credentials
                            against the role's IAM policies, refusing what they do not allow
  --service-healthy-after S seconds a service's task without health checks must be RUNNING to
                            count as healthy in a deployment (default 40, as on ECS)
  --service-event-repeat S  seconds after which a service's standing event ("has reached a steady
                            state.", "was unable to place a task") is written again while it
                            lasts (default 21600: six hours, as on ECS)
  --elb-health-check-scale F  multiplies load balancer health-check intervals and timeouts
                            (default 1; tests use 0.1 to check every 0.5 s at the API's 5 s minimum)
  --alarm-interval SECONDS  how often CloudWatch alarms are evaluated (default 60; tests shorten it)
  --stats-interval SECONDS  how often running task containers' Docker stats are sampled (default 10)
  --metrics-publish-interval SECONDS
                            how often AWS/ECS CPU and memory utilization and the AWS/ApplicationELB
                            metrics are published (default 60)
  --scaling-time-scale F    multiplies Application Auto Scaling's fixed times: the 60 s periods of
                            target tracking's alarms and the 300 s default cooldowns (default 1;
                            tests use 1/60 for 1 s periods)
)";
}

namespace {
bool parse_listen(std::string_view v, Config& c) {
  auto colon = v.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string host(v.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto p = v.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || ptr != p.data() + p.size() || port > 65535 || host.empty()) return false;
  c.listen_host = host == "localhost" ? "127.0.0.1" : host;
  c.listen_port = static_cast<unsigned short>(port);
  return true;
}

bool valid_account(std::string_view v) {
  return v.size() == 12 && v.find_first_not_of("0123456789") == std::string_view::npos;
}

// `image import|export`: one archive path and --repository, plus where the state lives.
std::optional<Command> parse_image_command(int argc, char** argv, std::string& error) {
  Command cmd;
  cmd.kind = Command::Kind::Image;
  std::string_view action = argc > 2 ? argv[2] : "";
  if (action != "import" && action != "export") {
    error = "berth image wants import or export";
    return std::nullopt;
  }
  cmd.image.import = action == "import";
  Config& c = cmd.config;
  for (int i = 3; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("--")) {
      if (!cmd.image.file.empty()) {
        error = "one archive file only, got " + std::string(arg);
        return std::nullopt;
      }
      cmd.image.file = arg;
      continue;
    }
    std::string_view value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      error = "missing value for " + std::string(arg);
      return std::nullopt;
    }
    if (arg == "--repository") {
      // NAME[:TAG]; a ':' followed by a '/' would be a registry port, which names no repository here.
      auto colon = value.rfind(':');
      if (colon != std::string_view::npos && value.find('/', colon) == std::string_view::npos) {
        cmd.image.tag = std::string(value.substr(colon + 1));
        value = value.substr(0, colon);
      }
      cmd.image.repository = value;
    } else if (arg == "--data-dir") {
      c.data_dir = value;
    } else if (arg == "--account-id") {
      if (!valid_account(value)) {
        error = "--account-id wants 12 digits";
        return std::nullopt;
      }
      c.account_id = value;
    } else if (arg == "--region") {
      c.region = value;
    } else {
      error = "unknown option: " + std::string(arg);
      return std::nullopt;
    }
  }
  if (cmd.image.file.empty() || cmd.image.repository.empty() || (cmd.image.tag && cmd.image.tag->empty())) {
    error = "berth image " + std::string(action) + " wants an archive file and --repository NAME[:TAG]";
    return std::nullopt;
  }
  return cmd;
}
}  // namespace

std::optional<Command> parse_command_line(int argc, char** argv, std::string& error) {
  Command cmd;
  if (argc < 2) return cmd;
  std::string_view first = argv[1];
  if (first == "--version" || first == "version") return Command{Command::Kind::Version, {}, {}, {}};
  if (first == "--help" || first == "-h" || first == "help") return Command{Command::Kind::Help, {}, {}, {}};
  if (first == "--coverage") return Command{Command::Kind::Coverage, {}, {}, {}};
  if (first == "image") return parse_image_command(argc, argv, error);
  if (first != "serve") {
    error = "unknown command: " + std::string(first);
    return std::nullopt;
  }
  cmd.kind = Command::Kind::Serve;
  Config& c = cmd.config;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg != "--ephemeral" && arg != "--help" && arg != "--allow-host-access" && arg != "--enforce-iam") {
      if (i + 1 >= argc) {
        error = "missing value for " + std::string(arg);
        return std::nullopt;
      }
      value = argv[++i];
    }
    if (arg == "--listen") {
      if (!parse_listen(value, c)) {
        error = "--listen wants HOST:PORT, got " + std::string(value);
        return std::nullopt;
      }
    } else if (arg == "--data-dir") {
      c.data_dir = value;
    } else if (arg == "--ephemeral") {
      c.ephemeral = true;
    } else if (arg == "--account-id") {
      c.account_id = value;
      if (c.account_id.size() != 12 || c.account_id.find_first_not_of("0123456789") != std::string::npos) {
        error = "--account-id wants 12 digits";
        return std::nullopt;
      }
    } else if (arg == "--region") {
      c.region = value;
    } else if (arg == "--log-level") {
      c.log_level = value;
    } else if (arg == "--threads") {
      c.threads = std::atoi(std::string(value).c_str());
    } else if (arg == "--registry-auth") {
      if (value != "ecr" && value != "none") {
        error = "--registry-auth wants ecr or none";
        return std::nullopt;
      }
      c.registry_auth = value == "ecr";
    } else if (arg == "--registry-host") {
      c.registry_host = value;
    } else if (arg == "--secrets-file") {
      c.secrets_file = value;
    } else if (arg == "--warm-namespaces") {
      int n = -1;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || ptr != value.data() + value.size() || n < 0 || n > 32) {
        error = "--warm-namespaces wants a number from 0 to 32";
        return std::nullopt;
      }
      c.warm_namespaces = n;
    } else if (arg == "--alarm-interval") {
      int n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || ptr != value.data() + value.size() || n < 1 || n > 3600) {
        error = "--alarm-interval wants a number of seconds from 1 to 3600";
        return std::nullopt;
      }
      cmd.metrics.alarm_interval_seconds = n;
    } else if (arg == "--stats-interval" || arg == "--metrics-publish-interval") {
      int n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || ptr != value.data() + value.size() || n < 1 || n > 3600) {
        error = std::string(arg) + " wants a number of seconds from 1 to 3600";
        return std::nullopt;
      }
      (arg == "--stats-interval" ? cmd.metrics.stats_interval_seconds : cmd.metrics.metrics_publish_seconds) = n;
    } else if (arg == "--allow-host") {
      if (value.empty()) {
        error = "--allow-host wants a host name";
        return std::nullopt;
      }
      c.allowed_hosts.emplace_back(value);
    } else if (arg == "--allow-host-access") {
      c.allow_host_access = true;
    } else if (arg == "--credentials") {
      c.credentials_file = value;
    } else if (arg == "--enforce-iam") {
      c.enforce_iam = true;
    } else if (arg == "--service-healthy-after") {
      int n = -1;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || ptr != value.data() + value.size() || n < 0 || n > 3600) {
        error = "--service-healthy-after wants a number of seconds from 0 to 3600";
        return std::nullopt;
      }
      c.service_healthy_after = n;
    } else if (arg == "--service-event-repeat") {
      int n = -1;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || ptr != value.data() + value.size() || n < 1 || n > 86400) {
        error = "--service-event-repeat wants a number of seconds from 1 to 86400";
        return std::nullopt;
      }
      c.service_event_repeat = n;
    } else if (arg == "--scaling-time-scale") {
      std::string text(value);
      char* end = nullptr;
      double f = std::strtod(text.c_str(), &end);
      if (text.empty() || *end || !(f >= 0.001 && f <= 1)) {
        error = "--scaling-time-scale wants a number from 0.001 to 1";
        return std::nullopt;
      }
      c.scaling_time_scale = f;
    } else if (arg == "--elb-health-check-scale") {
      std::string text(value);
      char* end = nullptr;
      double f = std::strtod(text.c_str(), &end);
      if (text.empty() || *end || !(f >= 0.01 && f <= 10)) {
        error = "--elb-health-check-scale wants a number from 0.01 to 10";
        return std::nullopt;
      }
      c.elb_health_check_scale = f;
    } else if (arg == "--help") {
      return Command{Command::Kind::Help, {}, {}, {}};
    } else {
      error = "unknown option: " + std::string(arg);
      return std::nullopt;
    }
  }
  return cmd;
}

}  // namespace berth
