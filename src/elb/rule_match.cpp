#include "elb/rule_match.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace berth::elb {
namespace {
char fold(char c, bool ci) { return ci ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return fold(x, true) == fold(y, true); });
}

std::string_view host_without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);  // [v6]:port
  auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> query_pairs(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!q.empty()) {
    auto amp = q.find('&');
    auto part = q.substr(0, amp);
    auto eq = part.find('=');
    if (!part.empty())
      out.emplace_back(url_decode(part.substr(0, eq)), eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}
}  // namespace

bool wildcard_match(std::string_view p, std::string_view t, bool ci) {
  // Iterative glob with backtracking to the last '*': linear in practice, no recursion.
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || fold(p[pi], ci) == fold(t[ti], ci))) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool cidr_contains(std::string_view cidr, std::string_view ip) {
  auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return false;
  std::string net(cidr.substr(0, slash));
  int bits = std::atoi(std::string(cidr.substr(slash + 1)).c_str());
  unsigned char a[16]{}, b[16]{};
  std::size_t len = 0;
  std::string addr(ip);
  if (inet_pton(AF_INET, net.c_str(), a) == 1) {
    if (inet_pton(AF_INET, addr.c_str(), b) != 1) {
      // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as a dual-stack socket reports it.
      if (addr.rfind("::ffff:", 0) != 0 || inet_pton(AF_INET, addr.c_str() + 7, b) != 1) return false;
    }
    len = 4;
  } else if (inet_pton(AF_INET6, net.c_str(), a) == 1) {
    if (inet_pton(AF_INET6, addr.c_str(), b) != 1) return false;
    len = 16;
  } else {
    return false;
  }
  if (bits < 0 || static_cast<std::size_t>(bits) > len * 8) return false;
  for (std::size_t i = 0; i < len && bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

bool matches(const Condition& c, const Request& r) {
  using F = Condition::Field;
  auto any = [&](auto&& pred) { return std::any_of(c.values.begin(), c.values.end(), pred); };
  switch (c.field) {
    case F::HostHeader: {
      auto host = host_without_port(r.host);
      return any([&](const std::string& v) { return wildcard_match(v, host, true); });
    }
    case F::PathPattern:
      return any([&](const std::string& v) { return wildcard_match(v, r.path, false); });
    case F::HttpRequestMethod:
      return any([&](const std::string& v) { return v == r.method; });
    case F::SourceIp:
      return any([&](const std::string& v) { return cidr_contains(v, r.source_ip); });
    case F::HttpHeader:
      for (const auto& [name, value] : r.headers)
        if (iequals(name, c.header_name) && any([&](const std::string& v) { return wildcard_match(v, value, true); }))
          return true;
      return false;
    case F::QueryString: {
      auto pairs = query_pairs(r.query);
      for (const auto& [key, value] : c.query_values)
        for (const auto& [k, v] : pairs)
          if ((!key || wildcard_match(*key, k, true)) && wildcard_match(value, v, true)) return true;
      return false;
    }
  }
  return false;
}

bool matches(const Rule& rule, const Request& r) {
  return std::all_of(rule.conditions.begin(), rule.conditions.end(), [&](const Condition& c) { return matches(c, r); });
}

const Rule* select_rule(const std::vector<Rule>& rules, const Request& r) {
  for (const auto& rule : rules)
    if (matches(rule, r)) return &rule;
  return nullptr;
}

std::string pick_group(const Action& forward, std::uint64_t random) {
  std::uint64_t total = 0;
  for (const auto& g : forward.groups) total += static_cast<std::uint64_t>(std::max(0, g.weight));
  if (total == 0) return {};
  std::uint64_t point = random % total;
  for (const auto& g : forward.groups) {
    std::uint64_t w = static_cast<std::uint64_t>(std::max(0, g.weight));
    if (point < w) return g.arn;
    point -= w;
  }
  return forward.groups.back().arn;
}

std::string redirect_location(const Action& a, const Request& r, std::string_view protocol, int port) {
  std::string proto_in(protocol);
  std::string host_in(host_without_port(r.host));
  std::string path_in = r.path.empty() ? "" : r.path.substr(1);  // #{path} has no leading '/'
  auto fill = [&](std::string s) {
    replace_all(s, "#{protocol}", proto_in);
    replace_all(s, "#{host}", host_in);
    replace_all(s, "#{port}", std::to_string(port));
    replace_all(s, "#{path}", path_in);
    replace_all(s, "#{query}", r.query);
    return s;
  };
  std::string proto = fill(a.protocol);
  std::transform(proto.begin(), proto.end(), proto.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string port_out = fill(a.port);
  std::string out = proto + "://" + fill(a.host);
  bool default_port = (proto == "http" && port_out == "80") || (proto == "https" && port_out == "443");
  if (!default_port) out += ":" + port_out;
  std::string path = fill(a.path);
  out += path.empty() || path.front() != '/' ? "/" + path : path;
  std::string query = fill(a.query);
  if (!query.empty()) out += "?" + query;
  return out;
}

}  // namespace berth::elb
