#include "runtime/secret_values.h"

#include <fstream>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace berth::runtime {
namespace {
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) out.push_back(part);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

std::string join(const std::vector<std::string>& parts, std::size_t n, char sep) {
  std::string out;
  for (std::size_t i = 0; i < n && i < parts.size(); ++i) out += (i ? std::string(1, sep) : "") + parts[i];
  return out;
}

// The value of one key of a JSON object, as text (a string as is, anything else as JSON).
std::optional<std::string> json_key(const std::string& json, const std::string& key) {
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError() || !d.IsObject()) return std::nullopt;
  auto it = d.FindMember(key.c_str());
  if (it == d.MemberEnd()) return std::nullopt;
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  it->value.Accept(w);
  return std::string(b.GetString(), b.GetSize());
}
}  // namespace

std::optional<std::string> SecretValues::lookup(const std::string& key) const {
  if (path_.empty()) return std::nullopt;
  std::ifstream in(path_);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document d;
  std::string s = text.str();
  d.Parse(s.c_str(), s.size());
  if (d.HasParseError() || !d.IsObject()) return std::nullopt;
  auto it = d.FindMember(key.c_str());
  if (it == d.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<std::string> SecretValues::secret(const std::string& value_from) const {
  if (auto v = lookup(value_from)) return v;
  // arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME[:json-key[:version-stage[:version-id]]]
  auto parts = split(value_from, ':');
  if (parts.size() > 7 && parts[0] == "arn" && parts[2] == "secretsmanager") {
    auto whole = lookup(join(parts, 7, ':'));
    if (!whole) return std::nullopt;
    return parts[7].empty() ? whole : json_key(*whole, parts[7]);
  }
  // An SSM parameter may be named by its ARN (arn:...:parameter/NAME) or by its name.
  // An ARN names "/a/b" as parameter/a/b and "name" as parameter/name.
  if (auto at = value_from.find(":parameter/"); at != std::string::npos) {
    std::string rest = value_from.substr(at + 11);
    if (auto v = lookup("/" + rest)) return v;
    return lookup(rest);
  }
  return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, std::string>>> SecretValues::environment_file(
    const std::string& arn) const {
  auto text = lookup(arn);
  if (!text) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

std::string SecretValues::secret_missing(const std::string& value_from) {
  const std::string prefix = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
                             "retrieval failed: ";
  if (value_from.starts_with("arn:aws:secretsmanager:"))
    return prefix + "unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret " +
           value_from + " from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.";
  return prefix + "unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: " +
         value_from;
}

std::string SecretValues::registry_auth_missing(const std::string& value_from) {
  return "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
         "unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching secret from the "
         "service for " +
         value_from + ": ResourceNotFoundException: Secrets Manager can't find the specified secret.";
}

std::string SecretValues::environment_file_missing(const std::string& arn) {
  return "ResourceInitializationError: failed to download env files: file download command: non empty error stream: "
         "service call has been retried 1 time(s): NoSuchKey: The specified key does not exist. (" + arn + ")";
}

}  // namespace berth::runtime
