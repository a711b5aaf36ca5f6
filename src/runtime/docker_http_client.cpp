// The Docker Engine API over the daemon's unix socket, with Beast's HTTP/1.1 (the only runtime
// translation unit that includes Beast: it compiles slowly).
//
// Each call opens a fresh connection and drives it with its own io_context, so callers on any
// thread share nothing. Every wait runs the io_context for a bounded slice: a call gives up at
// its deadline, and a stream also notices its `keep_going` turning false within a second.
// Closing the socket is how a wait is abandoned; the aborted handler still runs before return.
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <optional>
#include <string_view>

#include "common/json.h"
#include "runtime/docker_client.h"
#include "runtime/docker_test_support.h"

namespace berth::runtime {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Socket = asio::local::stream_protocol::socket;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Docker 20.10 speaks 1.41; pinning it keeps answers in the shape this file parses.
constexpr const char* kApiPrefix = "/v1.41";
// Inspect and list answers are small; this only guards against a runaway daemon.
constexpr std::uint64_t kBodyLimit = 64ull << 20;

std::string resolve_socket_path(std::string given) {
  if (!given.empty()) return given;
  if (const char* host = std::getenv("DOCKER_HOST")) {
    std::string_view h(host);
    if (h.starts_with("unix://")) return std::string(h.substr(7));
  }
  return "/var/run/docker.sock";
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// X-Registry-Auth is base64url *with* padding (Go's base64.URLEncoding).
std::string base64url(std::string_view in) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// {"type":["container"],"label":["k=v",...]} for /containers/json and /events.
std::string filters_json(bool containers_only, const std::vector<std::string>& labels) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  if (containers_only) {
    w.Key("type");
    w.StartArray();
    w.String("container");
    w.EndArray();
  }
  if (!labels.empty()) {
    w.Key("label");
    w.StartArray();
    for (const auto& l : labels) json::str(w, l);
    w.EndArray();
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::optional<rapidjson::Document> parse_json(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) return std::nullopt;
  return doc;
}

std::string string_or_empty(const json::Value& obj, const char* name) {
  return std::string(json::get_string(obj, name).value_or(""));
}

std::map<std::string, std::string> string_map(const json::Value* obj) {
  std::map<std::string, std::string> out;
  if (!obj || !obj->IsObject()) return out;
  for (auto it = obj->MemberBegin(); it != obj->MemberEnd(); ++it)
    if (it->value.IsString()) out.emplace(json::view(it->name), json::view(it->value));
  return out;
}

// The daemon's errors are {"message": "..."}; anything else is passed on as text.
DockerError daemon_error(int status, const std::string& body) {
  if (auto doc = parse_json(body)) {
    if (auto m = json::get_string(*doc, "message")) return {status, std::string(*m)};
  }
  std::string text = body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return {status, text.empty() ? "Docker answered HTTP " + std::to_string(status) : text};
}

DockerError malformed(const std::string& what) { return {500, "malformed Docker answer to " + what}; }

struct Request {
  Request(http::verb m, std::string t, std::string b = {}, std::string ct = {})
      : method(m), target(std::move(t)), body(std::move(b)), content_type(std::move(ct)) {}
  http::verb method = http::verb::get;
  std::string target;  // without the version prefix
  std::string body;
  std::string content_type;
  std::string registry_auth;  // X-Registry-Auth value, already encoded
};

// One HTTP exchange on a fresh connection. Errors are values; nothing here throws past send().
class Exchange {
 public:
  Exchange(const std::string& socket_path, Clock::duration timeout, std::function<bool()> keep_going = {})
      : socket_path_(socket_path), timeout_(timeout), keep_going_(std::move(keep_going)) {
    parser_.body_limit(kBodyLimit);
  }

  // Connects, writes the request and reads the response header; status() is then valid.
  std::optional<DockerError> send(const Request& r) {
    what_ = std::string(http::to_string(r.method)) + " " + r.target;
    deadline_ = Clock::now() + timeout_;
    asio::local::stream_protocol::endpoint endpoint;
    try {
      endpoint = asio::local::stream_protocol::endpoint(socket_path_);
    } catch (const std::exception& e) {
      return DockerError{0, "bad Docker socket path " + socket_path_ + ": " + e.what()};
    }
    if (auto ec = wait([&](auto h) { sock_.async_connect(endpoint, std::move(h)); }))
      return transport("cannot connect to Docker at " + socket_path_, ec);

    http::request<http::string_body> req{r.method, std::string(kApiPrefix) + r.target, 11};
    req.set(http::field::host, "docker");
    req.set(http::field::user_agent, "berth");
    if (!r.content_type.empty()) req.set(http::field::content_type, r.content_type);
    if (!r.registry_auth.empty()) req.set("X-Registry-Auth", r.registry_auth);
    req.body() = r.body;
    req.keep_alive(false);
    req.prepare_payload();
    if (auto ec = wait([&](auto h) { http::async_write(sock_, req, std::move(h)); }))
      return transport("cannot send " + what_ + " to Docker", ec);
    if (auto ec = wait([&](auto h) { http::async_read_header(sock_, buf_, parser_, std::move(h)); }))
      return transport("no answer from Docker to " + what_, ec);
    return std::nullopt;
  }

  int status() const { return static_cast<int>(parser_.get().result_int()); }
  std::string header(std::string_view name) const { return std::string(parser_.get()[name]); }

  std::optional<DockerError> read_body(std::string& out) {
    if (!parser_.is_done()) {
      if (auto ec = wait([&](auto h) { http::async_read(sock_, buf_, parser_, std::move(h)); }))
        return transport("reading Docker's answer to " + what_, ec);
    }
    out = std::move(parser_.get().body());
    return std::nullopt;
  }

  // Streams the body as lines (Docker's progress and event streams are newline-delimited JSON).
  // `idle_timeout` restarts the deadline on every read, so a long pull that keeps reporting
  // progress is not cut off; Clock::duration::max() waits forever (until keep_going says stop).
  // Returns nullopt at the end of the body, or when keep_going turned false (see stopped()).
  std::optional<DockerError> read_lines(Clock::duration idle_timeout,
                                        const std::function<void(std::string_view)>& on_line) {
    return read_stream(idle_timeout, [&](std::string& body, bool final) {
      std::size_t start = 0;
      for (std::size_t nl; (nl = body.find('\n', start)) != std::string::npos; start = nl + 1)
        if (nl > start) on_line(std::string_view(body).substr(start, nl - start));
      body.erase(0, start);
      if (final && !body.empty()) on_line(body);
      return true;
    });
  }

  // Streams the body as it arrives: `on_data` sees every byte received and not yet consumed,
  // erases from the front what it has consumed, and is called once more with final = true at
  // the end of the body. It returns false to abandon the stream (read_stream then returns
  // nullopt; the caller knows why). keep_going is polled at least once a second, also while
  // data keeps arriving. Returns nullopt at the end of the body or when stopped (see stopped()).
  std::optional<DockerError> read_stream(Clock::duration idle_timeout,
                                         const std::function<bool(std::string& body, bool final)>& on_data) {
    parser_.body_limit(boost::none);
    auto& body = parser_.get().body();
    if (!on_data(body, false)) return std::nullopt;
    while (!parser_.is_done()) {
      if (keep_going_ && Clock::now() - last_poll_ >= 1s && !poll_keep_going()) {
        stopped_ = true;
        return std::nullopt;
      }
      deadline_ = idle_timeout == Clock::duration::max() ? Clock::time_point::max() : Clock::now() + idle_timeout;
      auto ec = wait([&](auto h) { http::async_read_some(sock_, buf_, parser_, std::move(h)); });
      if (stopped_) return std::nullopt;
      if (ec) return transport("reading Docker's stream for " + what_, ec);
      if (!on_data(body, false)) return std::nullopt;
    }
    on_data(body, true);
    return std::nullopt;
  }

  bool stopped() const { return stopped_; }

 private:
  // Starts one async operation and runs the io_context until it completes, the deadline passes
  // or keep_going says stop; in the last two cases the socket is closed and the aborted handler
  // is run before returning.
  template <class Initiate>
  beast::error_code wait(Initiate&& initiate) {
    bool done = false;
    beast::error_code result;
    initiate([&](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    ioc_.restart();
    while (!done) {
      auto now = Clock::now();
      if (now >= deadline_) {
        timed_out_ = true;
        break;
      }
      Clock::duration slice = deadline_ - now;
      if (keep_going_) slice = std::min<Clock::duration>(slice, 1s);
      ioc_.run_for(slice);
      if (!done && keep_going_ && !poll_keep_going()) {
        stopped_ = true;
        break;
      }
    }
    if (!done) {
      beast::error_code ignored;
      sock_.close(ignored);
      ioc_.restart();
      ioc_.run();
      if (timed_out_) result = asio::error::timed_out;
    }
    return result;
  }

  bool poll_keep_going() {
    last_poll_ = Clock::now();
    return keep_going_();
  }

  DockerError transport(const std::string& what, beast::error_code ec) const {
    if (timed_out_) {
      auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout_).count();
      return {0, what + ": timed out after " + std::to_string(secs) + "s"};
    }
    return {0, what + ": " + ec.message()};
  }

  std::string socket_path_;
  Clock::duration timeout_;
  std::function<bool()> keep_going_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point last_poll_ = Clock::now();
  bool timed_out_ = false;
  bool stopped_ = false;
  std::string what_;
  asio::io_context ioc_{1};
  Socket sock_{ioc_};
  beast::flat_buffer buf_;
  http::response_parser<http::string_body> parser_;
};

struct Response {
  int status = 0;
  std::string body;
  std::string api_version;  // the Api-Version header
};

// Starts a streamed answer (pull progress, events, logs): nullopt once the daemon answered 200
// and the stream may be read, else how the call ends (an error; Ok when its caller stopped it).
std::optional<DockerResult<Ok>> start_stream(Exchange& ex, const Request& r) {
  if (auto err = ex.send(r)) return ex.stopped() ? DockerResult<Ok>(Ok{}) : DockerResult<Ok>(*err);
  if (ex.status() == 200) return std::nullopt;
  std::string body;
  if (auto err = ex.read_body(body)) return DockerResult<Ok>(*err);
  return DockerResult<Ok>(daemon_error(ex.status(), body));
}

DockerResult<Response> perform(const std::string& socket_path, Clock::duration timeout, const Request& r) {
  try {
    Exchange ex(socket_path, timeout);
    if (auto err = ex.send(r)) return *err;
    Response out;
    out.status = ex.status();
    out.api_version = ex.header("Api-Version");
    if (auto err = ex.read_body(out.body)) return *err;
    return out;
  } catch (const std::exception& e) {
    return DockerError{0, std::string("Docker call failed: ") + e.what()};
  }
}

ContainerInfo container_from_inspect(const json::Value& doc) {
  ContainerInfo c;
  c.id = string_or_empty(doc, "Id");
  c.name = string_or_empty(doc, "Name");
  if (c.name.starts_with('/')) c.name.erase(0, 1);
  c.image_id = string_or_empty(doc, "Image");
  if (const auto* config = json::member(doc, "Config")) {
    c.image = string_or_empty(*config, "Image");
    c.labels = string_map(json::member(*config, "Labels"));
  }
  if (const auto* state = json::member(doc, "State")) {
    c.status = string_or_empty(*state, "Status");
    c.running = json::get_bool(*state, "Running").value_or(false);
    c.oom_killed = json::get_bool(*state, "OOMKilled").value_or(false);
    c.error = string_or_empty(*state, "Error");
    c.started_at = string_or_empty(*state, "StartedAt");
    c.finished_at = string_or_empty(*state, "FinishedAt");
    // Docker reports ExitCode 0 for containers that never ran; only an exit means anything.
    if (c.status == "exited")
      if (auto code = json::get_int(*state, "ExitCode")) c.exit_code = static_cast<int>(*code);
    if (const auto* health = json::member(*state, "Health"))
      if (auto s = json::get_string(*health, "Status")) c.health = std::string(*s);
  }
  if (const auto* net = json::member(doc, "NetworkSettings")) {
    // "Ports": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "49153"}], "9000/tcp": null}
    if (const auto* ports = json::member(*net, "Ports"); ports && ports->IsObject()) {
      for (auto it = ports->MemberBegin(); it != ports->MemberEnd(); ++it) {
        if (!it->value.IsArray()) continue;
        std::string key(json::view(it->name));
        auto slash = key.find('/');
        PortBinding base;
        base.container_port = std::atoi(key.substr(0, slash).c_str());
        if (slash != std::string::npos) base.protocol = key.substr(slash + 1);
        for (const auto& b : it->value.GetArray()) {
          PortBinding p = base;
          p.host_ip = string_or_empty(b, "HostIp");
          p.host_port = std::atoi(string_or_empty(b, "HostPort").c_str());
          c.ports.push_back(std::move(p));
        }
      }
    }
    if (const auto* nets = json::member(*net, "Networks"); nets && nets->IsObject()) {
      for (auto it = nets->MemberBegin(); it != nets->MemberEnd(); ++it) {
        auto ip = string_or_empty(it->value, "IPAddress");
        if (!ip.empty()) c.network_ips.emplace(json::view(it->name), ip);
      }
    }
  }
  return c;
}

// GET /containers/json gives a summary: no exit code, no times, no health.
ContainerInfo container_from_summary(const json::Value& item) {
  ContainerInfo c;
  c.id = string_or_empty(item, "Id");
  if (const auto* names = json::member(item, "Names"); names && names->IsArray() && !names->Empty() &&
                                                        (*names)[0].IsString()) {
    c.name = std::string(json::view((*names)[0]));
    if (c.name.starts_with('/')) c.name.erase(0, 1);
  }
  c.image = string_or_empty(item, "Image");
  c.image_id = string_or_empty(item, "ImageID");
  c.status = string_or_empty(item, "State");
  c.running = c.status == "running";
  c.labels = string_map(json::member(item, "Labels"));
  if (const auto* ports = json::member(item, "Ports"); ports && ports->IsArray()) {
    for (const auto& p : ports->GetArray()) {
      auto public_port = json::get_int(p, "PublicPort");
      if (!public_port) continue;  // exposed but not published
      PortBinding b;
      b.container_port = static_cast<int>(json::get_int(p, "PrivatePort").value_or(0));
      b.protocol = string_or_empty(p, "Type");
      b.host_ip = string_or_empty(p, "IP");
      b.host_port = static_cast<int>(*public_port);
      c.ports.push_back(std::move(b));
    }
  }
  if (const auto* net = json::member(item, "NetworkSettings"))
    if (const auto* nets = json::member(*net, "Networks"); nets && nets->IsObject())
      for (auto it = nets->MemberBegin(); it != nets->MemberEnd(); ++it) {
        auto ip = string_or_empty(it->value, "IPAddress");
        if (!ip.empty()) c.network_ips.emplace(json::view(it->name), ip);
      }
  return c;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_nanos(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&](std::size_t n) -> std::optional<int> {
    if (i + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t k = 0; k < n; ++k, ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  auto expect = [&](char c) { return i < s.size() && s[i++] == c; };
  auto y = digits(4);
  if (!y || !expect('-')) return std::nullopt;
  auto mo = digits(2);
  if (!mo || !expect('-')) return std::nullopt;
  auto d = digits(2);
  if (!d || i >= s.size() || (s[i] != 'T' && s[i] != 't')) return std::nullopt;
  ++i;
  auto h = digits(2);
  if (!h || !expect(':')) return std::nullopt;
  auto mi = digits(2);
  if (!mi || !expect(':')) return std::nullopt;
  auto sec = digits(2);
  if (!sec || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;
  std::int64_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n)
      if (n < 9) nanos = nanos * 10 + (s[i] - '0');
    if (n == 0) return std::nullopt;
    for (; n < 9; ++n) nanos *= 10;
  }
  std::int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i++] == '-' ? -1 : 1;
    auto oh = digits(2);
    if (!oh || !expect(':')) return std::nullopt;
    auto om = digits(2);
    if (!om) return std::nullopt;
    offset = sign * (*oh * 3600 + *om * 60);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  std::int64_t secs = days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d)) * 86400 +
                      *h * 3600 + *mi * 60 + *sec - offset;
  return secs * 1000000000 + nanos;
}

namespace {

// "ts text" -> {ts, "text"}; a line that does not start with a timestamp keeps all its text.
std::optional<std::pair<std::int64_t, std::size_t>> leading_timestamp(std::string_view line) {
  auto space = line.find(' ');
  if (space == std::string_view::npos || space > 40) return std::nullopt;
  auto t = parse_rfc3339_nanos(line.substr(0, space));
  if (!t) return std::nullopt;
  return std::pair{*t, space + 1};
}

// Turns the body of GET /containers/{id}/logs?timestamps=1 into LogLines. Without a TTY the
// body is frames: [type (0 stdin, 1 stdout, 2 stderr, 3 daemon error), 0, 0, 0, big-endian
// uint32 size] then size bytes; with one it is raw text. Every log message Docker sends starts
// with a timestamp, so the first byte tells the two apart: a frame type is 0..3, a timestamp
// starts with a digit. Each stream keeps its own unfinished line. A line longer than Docker's
// 16 KiB message limit arrives as several messages, each with its own timestamp: a frame that
// continues an unfinished line loses its timestamp and the line keeps its first one.
class LogDemux {
 public:
  explicit LogDemux(const std::function<void(const LogLine&)>& on_line) : on_line_(on_line) {}

  // Consumes what it can from the front of `body`; false on a daemon error or a broken frame
  // (then error() says what).
  bool feed(std::string& body) {
    if (body.empty()) return true;
    if (!mode_) mode_ = static_cast<unsigned char>(body[0]) <= 3 ? Mode::frames : Mode::raw;
    if (*mode_ == Mode::raw) {
      append(stdout_, body, 0, body.size(), false);
      body.clear();
      return true;
    }
    std::size_t pos = 0;
    while (body.size() - pos >= 8) {
      const auto* h = reinterpret_cast<const unsigned char*>(body.data() + pos);
      if (h[0] > 3 || h[1] || h[2] || h[3]) {
        error_ = DockerError{500, "malformed Docker log stream (bad frame header)"};
        return false;
      }
      std::size_t size = std::size_t{h[4]} << 24 | std::size_t{h[5]} << 16 | std::size_t{h[6]} << 8 | h[7];
      if (body.size() - pos - 8 < size) break;  // the rest of the frame is still on its way
      std::size_t start = pos + 8;
      pos = start + size;
      if (h[0] == 3) {
        std::string message = body.substr(start, size);
        while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
        error_ = DockerError{500, message.empty() ? "Docker's log stream reported an error" : message};
        return false;
      }
      auto& stream = h[0] == 2 ? stderr_ : stdout_;
      // A frame continuing an unfinished line: drop the timestamp of Docker's partial message.
      if (!stream.line.empty())
        if (auto ts = leading_timestamp(std::string_view(body).substr(start, std::min<std::size_t>(size, 41))))
          start += ts->second;
      append(stream, body, start, pos, h[0] == 2);
    }
    body.erase(0, pos);
    return true;
  }

  // The end of the stream: unfinished lines are lines too.
  void finish() {
    if (!stdout_.line.empty()) emit(stdout_.line, false);
    if (!stderr_.line.empty()) emit(stderr_.line, true);
    stdout_.line.clear();
    stderr_.line.clear();
  }

  const std::optional<DockerError>& error() const { return error_; }

 private:
  enum class Mode { frames, raw };
  struct Stream {
    std::string line;  // the unfinished line, timestamp included
  };

  void append(Stream& stream, const std::string& data, std::size_t from, std::size_t to, bool from_stderr) {
    while (from < to) {
      auto nl = data.find('\n', from);
      if (nl == std::string::npos || nl >= to) {
        stream.line.append(data, from, to - from);
        return;
      }
      stream.line.append(data, from, nl - from);
      emit(stream.line, from_stderr);
      stream.line.clear();
      from = nl + 1;
    }
  }

  void emit(std::string_view raw, bool from_stderr) {
    // A TTY ends its lines with \r\n.
    if (*mode_ == Mode::raw && raw.ends_with('\r')) raw.remove_suffix(1);
    line_.from_stderr = from_stderr;
    line_.time_nanos = 0;
    if (auto ts = leading_timestamp(raw)) {
      line_.time_nanos = ts->first;
      raw.remove_prefix(ts->second);
    }
    line_.text.assign(raw);
    on_line_(line_);
  }

  const std::function<void(const LogLine&)>& on_line_;
  std::optional<Mode> mode_;
  Stream stdout_, stderr_;
  LogLine line_;
  std::optional<DockerError> error_;
};

class HttpDockerClient final : public DockerClient {
 public:
  HttpDockerClient(std::string socket_path, std::chrono::seconds timeout)
      : socket_(resolve_socket_path(std::move(socket_path))), timeout_(timeout) {}

  DockerResult<std::string> ping() override {
    auto r = call({http::verb::get, "/_ping"});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status != 200) return daemon_error(resp.status, resp.body);
    // The daemon's highest API version; every call here pins 1.41 in the path regardless.
    return resp.api_version.empty() ? std::string("1.41") : resp.api_version;
  }

  DockerResult<HostInfo> info() override {
    auto r = call({http::verb::get, "/info"});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status != 200) return daemon_error(resp.status, resp.body);
    auto doc = parse_json(resp.body);
    if (!doc || !doc->IsObject()) return DockerError{500, "unreadable /info answer"};
    HostInfo h;
    if (auto it = doc->FindMember("NCPU"); it != doc->MemberEnd() && it->value.IsInt()) h.ncpu = it->value.GetInt();
    if (auto it = doc->FindMember("MemTotal"); it != doc->MemberEnd() && it->value.IsInt64())
      h.memory_bytes = it->value.GetInt64();
    for (auto [name, out] : {std::pair{"ServerVersion", &h.server_version}, std::pair{"OSType", &h.os_type},
                             std::pair{"Architecture", &h.architecture}})
      if (auto it = doc->FindMember(name); it != doc->MemberEnd() && it->value.IsString()) *out = it->value.GetString();
    return h;
  }

  DockerResult<Ok> pull_image(const std::string& reference, const std::string& registry_auth) override {
    auto [repo, tag] = test_support::split_image_reference(reference);
    Request r{http::verb::post, "/images/create?fromImage=" + url_encode(repo) + "&tag=" + url_encode(tag)};
    if (!registry_auth.empty()) r.registry_auth = base64url(registry_auth);
    try {
      Exchange ex(socket_, timeout_);
      if (auto ended = start_stream(ex, r)) return *ended;
      // A failure after the pull started arrives as a line of the 200 stream.
      std::optional<DockerError> failure;
      auto err = ex.read_lines(timeout_, [&](std::string_view line) {
        auto doc = parse_json(line);
        if (!doc || failure) return;
        std::string message;
        if (const auto* detail = json::member(*doc, "errorDetail"))
          message = string_or_empty(*detail, "message");
        if (message.empty()) message = string_or_empty(*doc, "error");
        if (!message.empty()) failure = DockerError{500, message};
      });
      if (failure) return *failure;
      if (err) return *err;
      return Ok{};
    } catch (const std::exception& e) {
      return DockerError{0, std::string("Docker pull failed: ") + e.what()};
    }
  }

  DockerResult<Ok> import_image(const std::string& tar, const std::string& repo, const std::string& tag) override {
    auto r = call({http::verb::post, "/images/create?fromSrc=-&repo=" + url_encode(repo) + "&tag=" + url_encode(tag), tar,
                   "application/x-tar"});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status != 200) return daemon_error(resp.status, resp.body);
    // Like a pull, an import reports failure inside a 200 stream of JSON lines.
    if (resp.body.find("\"error\"") != std::string::npos) return DockerError{500, resp.body};
    return Ok{};
  }

  DockerResult<std::string> inspect_image(const std::string& reference) override {
    auto r = call({http::verb::get, "/images/" + reference + "/json"});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status != 200) return daemon_error(resp.status, resp.body);
    auto doc = parse_json(resp.body);
    if (!doc || !json::get_string(*doc, "Id")) return malformed("image inspect");
    return std::string(*json::get_string(*doc, "Id"));
  }

  DockerResult<std::string> create_container(const std::string& name, const std::string& body) override {
    std::string target = "/containers/create";
    if (!name.empty()) target += "?name=" + url_encode(name);
    auto r = call({http::verb::post, target, body, "application/json"});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status != 201) return daemon_error(resp.status, resp.body);
    auto doc = parse_json(resp.body);
    if (!doc || !json::get_string(*doc, "Id")) return malformed("container create");
    return std::string(*json::get_string(*doc, "Id"));
  }

  // 304 means already started: the container is where the caller wants it.
  DockerResult<Ok> start_container(const std::string& id) override {
    return expect_no_content(call({http::verb::post, "/containers/" + id + "/start"}));
  }

  // 304 means already stopped. The call may take `timeout` before Docker sends SIGKILL.
  DockerResult<Ok> stop_container(const std::string& id, std::chrono::seconds timeout) override {
    return expect_no_content(call({http::verb::post, "/containers/" + id + "/stop?t=" + std::to_string(timeout.count())},
                                  timeout_ + timeout));
  }

  DockerResult<Ok> kill_container(const std::string& id, const std::string& signal) override {
    std::string target = "/containers/" + id + "/kill";
    if (!signal.empty()) target += "?signal=" + url_encode(signal);
    return expect_no_content(call({http::verb::post, target}));
  }

  DockerResult<Ok> remove_container(const std::string& id, bool force) override {
    return expect_no_content(
        call({http::verb::delete_, "/containers/" + id + "?v=1" + (force ? "&force=1" : "")}));
  }

  DockerResult<Ok> rename_container(const std::string& id, const std::string& name) override {
    return expect_no_content(call({http::verb::post, "/containers/" + id + "/rename?name=" + url_encode(name)}));
  }

  DockerResult<ContainerInfo> inspect_container(const std::string& id) override {
    auto r = call({http::verb::get, "/containers/" + id + "/json"});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status != 200) return daemon_error(resp.status, resp.body);
    auto doc = parse_json(resp.body);
    if (!doc || !doc->IsObject()) return malformed("container inspect");
    return container_from_inspect(*doc);
  }

  DockerResult<std::vector<ContainerInfo>> list_containers(const std::vector<std::string>& labels) override {
    auto r = call({http::verb::get, "/containers/json?all=1&filters=" + url_encode(filters_json(false, labels))});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status != 200) return daemon_error(resp.status, resp.body);
    auto doc = parse_json(resp.body);
    if (!doc || !doc->IsArray()) return malformed("container list");
    std::vector<ContainerInfo> out;
    for (const auto& item : doc->GetArray()) out.push_back(container_from_summary(item));
    return out;
  }

  DockerResult<Ok> remove_volumes(const std::string& prefix) override {
    std::string filter = "{\"name\":[\"" + prefix + "\"]}";
    auto r = call({http::verb::get, "/volumes?filters=" + url_encode(filter)});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status != 200) return daemon_error(resp.status, resp.body);
    auto doc = parse_json(resp.body);
    if (!doc || !doc->IsObject() || !doc->HasMember("Volumes") || !(*doc)["Volumes"].IsArray()) return Ok{};
    for (const auto& v : (*doc)["Volumes"].GetArray()) {
      auto name = json::get_string(v, "Name");
      // The daemon's name filter matches substrings: keep to real prefixes.
      if (name && name->starts_with(prefix)) call({http::verb::delete_, "/volumes/" + url_encode(*name)});
    }
    return Ok{};
  }

  DockerResult<Ok> connect_network(const std::string& network, const std::string& container_id) override {
    std::string body = "{\"Container\":\"" + container_id + "\"}";
    auto r = call({http::verb::post, "/networks/" + url_encode(network) + "/connect", body, "application/json"});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status != 200) return daemon_error(resp.status, resp.body);
    return Ok{};
  }

  DockerResult<std::string> container_stats(const std::string& id) override {
    auto r = call({http::verb::get, "/containers/" + url_encode(id) + "/stats?stream=false&one-shot=true"});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status != 200) return daemon_error(resp.status, resp.body);
    return std::move(resp.body);
  }

  DockerResult<std::string> ensure_network(const std::string& name, const std::string& subnet,
                                           const std::string& gateway) override {
    // Docker's CheckDuplicate is best effort: two berths starting together could each create
    // a network of the same name. A machine-wide lock makes look-then-create one step.
    struct MachineLock {
      int fd = ::open("/tmp/berth-docker-networks.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0666);
      MachineLock() { if (fd >= 0) ::flock(fd, LOCK_EX); }
      ~MachineLock() { if (fd >= 0) ::close(fd); }
    } lock;
    auto existing = find_network(name);
    if (!std::holds_alternative<DockerError>(existing) || !std::get<DockerError>(existing).not_found())
      return existing;

    rapidjson::StringBuffer buf;
    json::Writer w(buf);
    w.StartObject();
    json::kv(w, "Name", name);
    json::kv(w, "Driver", "bridge");
    w.Key("CheckDuplicate");
    w.Bool(true);
    if (!subnet.empty()) {
      w.Key("IPAM");
      w.StartObject();
      w.Key("Config");
      w.StartArray();
      w.StartObject();
      json::kv(w, "Subnet", subnet);
      if (!gateway.empty()) json::kv(w, "Gateway", gateway);
      w.EndObject();
      w.EndArray();
      w.EndObject();
    }
    w.Key("Labels");
    w.StartObject();
    json::kv(w, "berth", "1");
    w.EndObject();
    w.EndObject();

    auto r = call({http::verb::post, "/networks/create", std::string(buf.GetString(), buf.GetSize()),
                   "application/json"});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status == 409) return find_network(name);  // created meanwhile by someone else
    if (resp.status != 201) return daemon_error(resp.status, resp.body);
    auto doc = parse_json(resp.body);
    if (!doc || !json::get_string(*doc, "Id")) return malformed("network create");
    return std::string(*json::get_string(*doc, "Id"));
  }

  DockerResult<Ok> watch_events(const std::vector<std::string>& labels,
                                const std::function<void(const DockerEvent&)>& on_event,
                                const std::function<bool()>& keep_going) override {
    Request r{http::verb::get, "/events?filters=" + url_encode(filters_json(true, labels))};
    try {
      Exchange ex(socket_, timeout_, keep_going);
      if (auto ended = start_stream(ex, r)) return *ended;
      auto err = ex.read_lines(Clock::duration::max(), [&](std::string_view line) {
        auto doc = parse_json(line);
        if (!doc || !doc->IsObject()) return;
        DockerEvent ev;
        ev.type = string_or_empty(*doc, "Type");
        ev.action = string_or_empty(*doc, "Action");
        if (const auto* actor = json::member(*doc, "Actor")) {
          ev.id = string_or_empty(*actor, "ID");
          ev.attributes = string_map(json::member(*actor, "Attributes"));
        }
        if (ev.id.empty()) ev.id = string_or_empty(*doc, "id");
        ev.time_nanos = json::get_int(*doc, "timeNano").value_or(0);
        on_event(ev);
      });
      if (ex.stopped()) return Ok{};
      if (err) return *err;
      return DockerError{0, "Docker's event stream ended"};
    } catch (const std::exception& e) {
      return DockerError{0, std::string("Docker event stream failed: ") + e.what()};
    }
  }

  DockerResult<Ok> follow_logs(const std::string& id, std::int64_t since_nanos,
                               const std::function<void(const LogLine&)>& on_line,
                               const std::function<bool()>& keep_going) override {
    if (since_nanos < 0) since_nanos = 0;
    char since[48];
    std::snprintf(since, sizeof since, "%lld.%09lld", static_cast<long long>(since_nanos / 1000000000),
                  static_cast<long long>(since_nanos % 1000000000));
    Request r{http::verb::get, "/containers/" + url_encode(id) +
                                   "/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=" + since};
    try {
      Exchange ex(socket_, timeout_, keep_going);
      if (auto ended = start_stream(ex, r)) return *ended;
      LogDemux demux(on_line);
      // A quiet container may say nothing for hours: no idle timeout, only keep_going.
      auto err = ex.read_stream(Clock::duration::max(), [&](std::string& body, bool final) {
        if (!demux.feed(body)) return false;
        // At the end, bytes left over are a frame cut short; what was complete still counts.
        if (final) demux.finish();
        return true;
      });
      if (demux.error()) return *demux.error();
      if (ex.stopped()) return Ok{};
      if (err) return *err;
      return Ok{};
    } catch (const std::exception& e) {
      return DockerError{0, std::string("Docker log stream failed: ") + e.what()};
    }
  }

 private:
  DockerResult<Response> call(const Request& r) { return perform(socket_, timeout_, r); }
  DockerResult<Response> call(const Request& r, Clock::duration timeout) { return perform(socket_, timeout, r); }

  static DockerResult<Ok> expect_no_content(const DockerResult<Response>& r) {
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status == 204 || resp.status == 200 || resp.status == 304) return Ok{};
    return daemon_error(resp.status, resp.body);
  }

  // GET /networks/{name} also matches ids and id prefixes; only an exact name or id counts.
  DockerResult<std::string> find_network(const std::string& name) {
    auto r = call({http::verb::get, "/networks/" + url_encode(name)});
    if (auto* e = std::get_if<DockerError>(&r)) return *e;
    auto& resp = std::get<Response>(r);
    if (resp.status != 200) return daemon_error(resp.status, resp.body);
    auto doc = parse_json(resp.body);
    if (!doc || !json::get_string(*doc, "Id")) return malformed("network inspect");
    std::string id(*json::get_string(*doc, "Id"));
    if (string_or_empty(*doc, "Name") != name && id != name) return DockerError{404, "network " + name + " not found"};
    return id;
  }

  std::string socket_;
  std::chrono::seconds timeout_;
};

}  // namespace

namespace test_support {

std::pair<std::string, std::string> split_image_reference(const std::string& reference) {
  if (auto at = reference.find('@'); at != std::string::npos) {
    // name[:tag]@digest: the digest wins; a tag beside it is dropped as Docker does.
    std::string name = reference.substr(0, at);
    auto slash = name.rfind('/');
    auto colon = name.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) name.erase(colon);
    return {name, reference.substr(at + 1)};
  }
  // A ':' after the last '/' is a tag; one before it belongs to a registry's host:port.
  auto slash = reference.rfind('/');
  auto colon = reference.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return {reference.substr(0, colon), reference.substr(colon + 1)};
  return {reference, "latest"};
}

DockerResult<RawResponse> raw_request(const std::string& socket_path, const std::string& method,
                                      const std::string& target, const std::string& body,
                                      const std::string& content_type, std::chrono::seconds timeout) {
  auto verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) return DockerError{0, "unknown HTTP method " + method};
  auto r = perform(resolve_socket_path(socket_path), timeout, {verb, target, body, content_type});
  if (auto* e = std::get_if<DockerError>(&r)) return *e;
  auto& resp = std::get<Response>(r);
  return RawResponse{resp.status, std::move(resp.body)};
}

}  // namespace test_support

std::unique_ptr<DockerClient> make_docker_client(std::string socket_path, std::chrono::seconds timeout) {
  return std::make_unique<HttpDockerClient>(std::move(socket_path), timeout);
}

}  // namespace berth::runtime
