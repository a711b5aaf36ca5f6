#pragma once
// What `berth serve` was asked to do.
#include <string>
#include <vector>

namespace berth {

struct Config {
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 4566;
  std::string data_dir;  // empty: the default under $HOME
  bool ephemeral = false;
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
  std::string log_level = "info";
  int threads = 0;  // 0: one per core, at least 2
  bool registry_auth = true;    // --registry-auth none turns the registry's 401 challenge off
  std::string registry_host;    // host[:port] written into repositoryUri; empty: localhost:PORT
  std::string secrets_file;     // values for tasks' secrets, registry credentials and env files
  int warm_namespaces = 2;      // pause containers kept ready for awsvpc tasks; 0: none
  double elb_health_check_scale = 1.0;  // multiplies ELB health-check intervals and timeouts
  std::vector<std::string> allowed_hosts;  // --allow-host: Host names the loopback listener serves too
  bool allow_host_access = false;  // --allow-host-access: EC2 tasks may be privileged, use host paths...
  std::string credentials_file; // --credentials: keys whose SigV4 signatures berth verifies
  bool enforce_iam = false;     // evaluate role sessions' calls against their IAM policies
  // --scaling-time-scale: multiplies Application Auto Scaling's fixed times (the minute periods of
  // target tracking's alarms, the 300 s default cooldowns) so tests scale within seconds.
  double scaling_time_scale = 1.0;
  int service_healthy_after = 40;  // seconds a service task without health checks runs before it counts healthy
  int service_event_repeat = 6 * 3600;  // seconds before a standing service event is written again

  static std::string default_data_dir();
};

}  // namespace berth
