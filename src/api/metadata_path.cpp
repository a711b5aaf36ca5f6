#include "api/metadata_path.h"

namespace berth::api {

bool valid_metadata_token(std::string_view token) {
  if (token.empty() || token.size() > 64) return false;
  for (char c : token)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) return false;
  return true;
}

MetadataPath parse_metadata_path(std::string_view method, std::string_view path) {
  using Kind = MetadataPath::Kind;
  MetadataPath out;
  if (method != "GET" && method != "HEAD") return out;
  if (path.starts_with("/v2/credentials/")) {
    std::string_view id = path.substr(16);
    if (!valid_metadata_token(id)) return {Kind::NotFound, {}};
    return {Kind::Credentials, std::string(id)};
  }
  if (!path.starts_with("/v4/") && !path.starts_with("/v3/")) return out;
  std::string_view rest = path.substr(4);
  std::string_view token = rest.substr(0, rest.find('/'));
  std::string_view what = rest.size() > token.size() ? rest.substr(token.size() + 1) : std::string_view{};
  if (!valid_metadata_token(token)) return {Kind::NotFound, {}};
  Kind kind;
  if (what.empty()) kind = Kind::Container;
  else if (what == "task") kind = Kind::Task;
  else if (what == "stats") kind = Kind::ContainerStats;
  else if (what == "task/stats") kind = Kind::TaskStats;
  else return {Kind::NotFound, {}};
  return {kind, std::string(token)};
}

}  // namespace berth::api
