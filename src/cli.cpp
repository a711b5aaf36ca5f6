#include "cli.h"

#include <charconv>
#include <string_view>

namespace berth {

const char* usage() {
  return R"(berth - a local Amazon ECS/Fargate emulator (ECS, ECR and CloudWatch Logs APIs)

Usage:
  berth serve [options]     serve the AWS APIs and the image registry
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
}  // namespace

std::optional<Command> parse_command_line(int argc, char** argv, std::string& error) {
  Command cmd;
  if (argc < 2) return cmd;
  std::string_view first = argv[1];
  if (first == "--version" || first == "version") return Command{Command::Kind::Version, {}};
  if (first == "--help" || first == "-h" || first == "help") return Command{Command::Kind::Help, {}};
  if (first == "--coverage") return Command{Command::Kind::Coverage, {}};
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
    } else if (arg != "--ephemeral" && arg != "--help") {
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
    } else if (arg == "--help") {
      return Command{Command::Kind::Help, {}};
    } else {
      error = "unknown option: " + std::string(arg);
      return std::nullopt;
    }
  }
  return cmd;
}

}  // namespace berth
