#pragma once
// Listener rules as the data plane evaluates them: pure functions over a parsed request, so
// they are tested without sockets. Rules are tried by priority; the default rule (no
// conditions) comes last and always matches.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::elb {

// What rules look at in a request. Header names are compared case-insensitively.
struct Request {
  std::string method;
  std::string host;  // the Host header, port included if sent
  std::string path;  // without the query
  std::string query; // after '?', undecoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string source_ip;
};

struct Condition {
  enum class Field { HostHeader, PathPattern, HttpHeader, HttpRequestMethod, QueryString, SourceIp } field;
  std::string header_name;                 // http-header
  std::vector<std::string> values;         // patterns, methods or CIDRs
  std::vector<std::pair<std::optional<std::string>, std::string>> query_values;  // query-string: key?, value
};

struct WeightedGroup {
  std::string arn;
  int weight = 1;
};

struct Action {
  enum class Type { Forward, Redirect, FixedResponse } type = Type::Forward;
  // forward
  std::vector<WeightedGroup> groups;
  bool group_stickiness = false;       // ForwardConfig.TargetGroupStickinessConfig
  int group_stickiness_seconds = 0;
  // redirect: each may hold #{protocol} #{host} #{port} #{path} #{query}
  std::string protocol = "#{protocol}", host = "#{host}", port = "#{port}", path = "/#{path}", query = "#{query}";
  int status = 0;                      // redirect 301/302; fixed-response code
  // fixed-response
  std::string content_type, body;
};

struct Rule {
  std::optional<int> priority;  // nullopt: the default rule
  std::vector<Condition> conditions;
  Action action;
};

// ELBv2 wildcards: '*' any run of characters, '?' exactly one.
bool wildcard_match(std::string_view pattern, std::string_view text, bool case_insensitive);
// Whether `ip` (dotted IPv4 or IPv6 text) lies in `cidr`.
bool cidr_contains(std::string_view cidr, std::string_view ip);

bool matches(const Condition& c, const Request& r);
bool matches(const Rule& rule, const Request& r);
// The first matching rule of a list sorted by priority (default last), or null.
const Rule* select_rule(const std::vector<Rule>& rules, const Request& r);

// The target group of a forward action, chosen by weight with `random` uniform in [0, 2^64).
// Empty when every weight is 0.
std::string pick_group(const Action& forward, std::uint64_t random);

// The Location of a redirect for a request that came in on `protocol` ("HTTP") and `port`.
std::string redirect_location(const Action& redirect, const Request& r, std::string_view protocol, int port);

}  // namespace berth::elb
