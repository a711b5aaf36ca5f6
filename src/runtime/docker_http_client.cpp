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

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <limits>

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
    parser_.body_limit(boost::none);
    auto& body = parser_.get().body();
    auto drain = [&](bool final) {
      std::size_t start = 0;
      for (std::size_t nl; (nl = body.find('\n', start)) != std::string::npos; start = nl + 1)
        if (nl > start) on_line(std::string_view(body).substr(start, nl - start));
      body.erase(0, start);
      if (final && !body.empty()) on_line(body);
    };
    drain(false);
    while (!parser_.is_done()) {
      deadline_ = idle_timeout == Clock::duration::max() ? Clock::time_point::max() : Clock::now() + idle_timeout;
      auto ec = wait([&](auto h) { http::async_read_some(sock_, buf_, parser_, std::move(h)); });
      if (stopped_) return std::nullopt;
      if (ec) return transport("reading Docker's stream for " + what_, ec);
      drain(false);
    }
    drain(true);
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
      if (!done && keep_going_ && !keep_going_()) {
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

  DockerResult<Ok> pull_image(const std::string& reference, const std::string& registry_auth) override {
    auto [repo, tag] = test_support::split_image_reference(reference);
    Request r{http::verb::post, "/images/create?fromImage=" + url_encode(repo) + "&tag=" + url_encode(tag)};
    if (!registry_auth.empty()) r.registry_auth = base64url(registry_auth);
    try {
      Exchange ex(socket_, timeout_);
      if (auto err = ex.send(r)) return *err;
      if (ex.status() != 200) {
        std::string body;
        if (auto err = ex.read_body(body)) return *err;
        return daemon_error(ex.status(), body);
      }
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

  DockerResult<std::string> ensure_network(const std::string& name, const std::string& subnet,
                                           const std::string& gateway) override {
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
      if (auto err = ex.send(r)) return ex.stopped() ? DockerResult<Ok>(Ok{}) : DockerResult<Ok>(*err);
      if (ex.status() != 200) {
        std::string body;
        if (auto err = ex.read_body(body)) return *err;
        return daemon_error(ex.status(), body);
      }
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
