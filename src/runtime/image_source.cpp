#include "runtime/image_source.h"

namespace berth::runtime {
namespace {
std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}
}  // namespace

PullPlanner berth_registry_planner(std::string registry_host,
                                   std::function<std::string(const std::string&, const std::string&)> token_for) {
  return [registry_host, token_for](const std::string& image, const std::string& account, const std::string& region) {
    auto slash = image.find('/');
    std::string host = slash == std::string::npos ? "" : image.substr(0, slash);
    bool ecr = host.find(".dkr.ecr.") != std::string::npos && host.ends_with(".amazonaws.com");
    std::string port = registry_host.substr(registry_host.rfind(':') + 1);
    bool ours = host == registry_host || host == "localhost:" + port || host == "127.0.0.1:" + port;
    if (!ecr && !ours) return PullPlan{image, ""};
    std::string reference = registry_host + image.substr(slash);
    // The token is for the account and region the ECR host names, else the task's.
    std::string acct = account, reg = region;
    if (ecr) {
      acct = host.substr(0, host.find('.'));
      auto r = host.find(".dkr.ecr.") + 9;
      reg = host.substr(r, host.find(".amazonaws.com") - r);
    }
    std::string auth = "{\"username\":\"AWS\",\"password\":\"" + json_escape(token_for(acct, reg)) +
                       "\",\"serveraddress\":\"" + json_escape(registry_host) + "\"}";
    return PullPlan{reference, auth};
  };
}

}  // namespace berth::runtime
