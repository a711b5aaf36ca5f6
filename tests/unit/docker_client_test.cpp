// The Docker Engine API client against the real daemon. When no daemon answers, the tests that
// need one say so and pass: unit tests also run on machines without Docker. Everything created
// here carries the label berth-test=1 plus a per-run label, and is removed before the test ends.
// Nothing is pulled from the internet: the test image is imported from the host's busybox.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "common/json.h"
#include "runtime/docker_client.h"
#include "runtime/ustar.h"
#include "runtime/docker_test_support.h"

namespace rt = berth::runtime;
using namespace std::chrono_literals;

namespace {

constexpr const char* kImage = "busybox-berth-test:latest";

template <class T>
bool ok(const rt::DockerResult<T>& r) {
  return std::holds_alternative<T>(r);
}
template <class T>
rt::DockerError error_of(const rt::DockerResult<T>& r) {
  if (auto* e = std::get_if<rt::DockerError>(&r)) return *e;
  return {};
}
template <class T>
std::string describe(const rt::DockerResult<T>& r) {
  auto e = error_of(r);
  return ok(r) ? "ok" : std::to_string(e.http_status) + " " + e.message;
}

std::unique_ptr<rt::DockerClient> daemon_or_null() {
  auto client = rt::make_docker_client();
  if (!ok(client->ping())) return nullptr;
  return client;
}

// Asked once, when the tests register: without a daemon the tests that need one are skipped,
// and doctest's summary counts them as skipped, not passed.
bool no_daemon() {
  static const bool missing = [] {
    bool gone = daemon_or_null() == nullptr;
    if (gone) std::fprintf(stderr, "no Docker daemon reachable: the tests that need one are skipped\n");
    return gone;
  }();
  return missing;
}

std::string random_suffix() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

// /bin/busybox (static) plus /bin/sh pointing at it: enough for httpd and `sh -c`.
std::string busybox_tar() {
  std::ifstream in("/bin/busybox", std::ios::binary);
  std::string busybox((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (busybox.empty()) return {};
  return rt::ustar({{.name = "bin/", .content = {}, .type = '5', .mode = 0755, .link = {}},
                    {.name = "bin/busybox", .content = busybox, .type = '0', .mode = 0755, .link = {}},
                    {.name = "bin/sh", .content = {}, .type = '2', .mode = 0777, .link = "busybox"},
                    {.name = "tmp/", .content = {}, .type = '5', .mode = 01777, .link = {}}});
}

bool ensure_test_image(rt::DockerClient& docker) {
  auto found = docker.inspect_image(kImage);
  if (ok(found)) return true;
  if (!error_of(found).not_found()) return false;
  std::string tar = busybox_tar();
  if (tar.empty()) return false;
  auto imported = rt::test_support::raw_request("", "POST", "/images/create?fromSrc=-&repo=busybox-berth-test&tag=latest",
                                                tar, "application/x-tar", 120s);
  if (!ok(imported)) return false;
  const auto& resp = std::get<rt::test_support::RawResponse>(imported);
  if (resp.status != 200 || resp.body.find("\"error") != std::string::npos) return false;
  return ok(docker.inspect_image(kImage));
}

// The Engine API create body for the test image.
std::string create_body(const std::vector<std::string>& cmd, const std::map<std::string, std::string>& labels,
                        bool publish_8080) {
  rapidjson::StringBuffer buf;
  berth::json::Writer w(buf);
  w.StartObject();
  berth::json::kv(w, "Image", kImage);
  w.Key("Cmd");
  w.StartArray();
  for (const auto& c : cmd) berth::json::str(w, c);
  w.EndArray();
  w.Key("Labels");
  w.StartObject();
  for (const auto& [k, v] : labels) berth::json::kv(w, k.c_str(), v);
  w.EndObject();
  if (publish_8080) {
    w.Key("ExposedPorts");
    w.StartObject();
    w.Key("8080/tcp");
    w.StartObject();
    w.EndObject();
    w.EndObject();
  }
  w.Key("HostConfig");
  w.StartObject();
  if (publish_8080) {
    w.Key("PortBindings");
    w.StartObject();
    w.Key("8080/tcp");
    w.StartArray();
    w.StartObject();
    berth::json::kv(w, "HostIp", "127.0.0.1");
    berth::json::kv(w, "HostPort", "");
    w.EndObject();
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// Removes what a test created, whatever happened in between.
struct Created {
  rt::DockerClient& docker;
  std::vector<std::string> containers;
  std::vector<std::string> networks;
  ~Created() {
    for (const auto& id : containers) docker.remove_container(id, true);
    for (const auto& id : networks) rt::test_support::raw_request("", "DELETE", "/networks/" + id, "", "");
  }
};

// A listening unix socket. Alone it accepts connections (through the backlog) and never
// answers; FakeDaemon answers one request with canned bytes.
struct ListeningSocket {
  std::string path = (std::filesystem::temp_directory_path() / ("berth-test-" + random_suffix() + ".sock")).string();
  int fd = -1;
  ListeningSocket() {
    fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd, 8);
  }
  ~ListeningSocket() {
    ::close(fd);
    std::filesystem::remove(path);
  }
};

// Serves one connection: records the request head, then writes `pieces` with short pauses so
// the client sees lines and chunks split across reads.
struct FakeDaemon : ListeningSocket {
  std::string request;
  std::thread server;
  explicit FakeDaemon(std::vector<std::string> pieces) {
    server = std::thread([this, pieces = std::move(pieces)] {
      int conn = ::accept(fd, nullptr, nullptr);
      if (conn < 0) return;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        auto n = ::read(conn, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      for (const auto& p : pieces) {
        // MSG_NOSIGNAL: a client that hung up early must not kill the test run with SIGPIPE.
        if (::send(conn, p.data(), p.size(), MSG_NOSIGNAL) < 0) break;
        std::this_thread::sleep_for(20ms);
      }
      ::close(conn);
    });
  }
  // The request head, once the fake has served its answer.
  const std::string& received() {
    if (server.joinable()) server.join();
    return request;
  }
  ~FakeDaemon() {
    if (server.joinable()) server.join();
  }
};

std::string chunk(const std::string& data) {
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

// A frame of Docker's multiplexed stream: [type, 0, 0, 0, big-endian size] then the bytes.
std::string frame(int type, const std::string& data) {
  std::string out{static_cast<char>(type), 0, 0, 0};
  auto n = static_cast<std::uint32_t>(data.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  return out + data;
}

// `data` as HTTP chunks of `size` bytes each (the last may be shorter), one write per chunk.
std::vector<std::string> chunks_of(const std::string& data, std::size_t size) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < data.size(); i += size) out.push_back(chunk(data.substr(i, size)));
  return out;
}

// 2024-01-02T03:04:05Z in epoch nanoseconds.
constexpr std::int64_t kJan2 = 1704164645ll * 1000000000;

const std::string kChunkedHead =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

#define REQUIRE_DAEMON(docker)                                          \
  auto docker = daemon_or_null();                                       \
  REQUIRE_MESSAGE(docker, "the Docker daemon went away");              \
  if (!ensure_test_image(*docker)) {                                    \
    FAIL("could not import the test image " << kImage);                 \
    return;                                                             \
  }

}  // namespace

TEST_CASE("image references split into repository and tag, with registry ports kept") {
  using rt::test_support::split_image_reference;
  using P = std::pair<std::string, std::string>;
  CHECK(split_image_reference("busybox") == P{"busybox", "latest"});
  CHECK(split_image_reference("busybox:1.36") == P{"busybox", "1.36"});
  CHECK(split_image_reference("localhost:5000/team/app") == P{"localhost:5000/team/app", "latest"});
  CHECK(split_image_reference("localhost:5000/team/app:v2") == P{"localhost:5000/team/app", "v2"});
  CHECK(split_image_reference("127.0.0.1:1/nothing:latest") == P{"127.0.0.1:1/nothing", "latest"});
  CHECK(split_image_reference("app@sha256:abc") == P{"app", "sha256:abc"});
  CHECK(split_image_reference("host:5000/app:v1@sha256:abc") == P{"host:5000/app", "sha256:abc"});
}

TEST_CASE("a socket nobody listens on is unreachable, including one named by DOCKER_HOST") {
  auto missing = rt::make_docker_client("/nonexistent/berth-test.sock", 2s);
  auto r = missing->ping();
  REQUIRE_FALSE(ok(r));
  CHECK(error_of(r).unreachable());
  CHECK(error_of(r).message.find("/nonexistent/berth-test.sock") != std::string::npos);
  CHECK(error_of(missing->inspect_container("x")).unreachable());

  const char* old = std::getenv("DOCKER_HOST");
  std::string saved = old ? old : "";
  ::setenv("DOCKER_HOST", "unix:///nonexistent/from-env.sock", 1);
  auto from_env = rt::make_docker_client({}, 2s);
  auto e = error_of(from_env->ping());
  if (old)
    ::setenv("DOCKER_HOST", saved.c_str(), 1);
  else
    ::unsetenv("DOCKER_HOST");
  CHECK(e.unreachable());
  CHECK(e.message.find("/nonexistent/from-env.sock") != std::string::npos);
}

TEST_CASE("a daemon that never answers times out, and a stopped event watch returns promptly") {
  ListeningSocket silent;
  auto client = rt::make_docker_client(silent.path, 1s);
  auto started = std::chrono::steady_clock::now();
  auto r = client->ping();
  auto took = std::chrono::steady_clock::now() - started;
  REQUIRE_FALSE(ok(r));
  CHECK(error_of(r).unreachable());
  CHECK(error_of(r).message.find("timed out") != std::string::npos);
  CHECK(took >= 900ms);
  CHECK(took < 5s);

  // The stream has no overall deadline, but keep_going is polled at least once a second.
  auto patient = rt::make_docker_client(silent.path, 60s);
  std::atomic<bool> keep{true};
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    keep = false;
  });
  started = std::chrono::steady_clock::now();
  auto w = patient->watch_events({}, [](const rt::DockerEvent&) {}, [&] { return keep.load(); });
  took = std::chrono::steady_clock::now() - started;
  stopper.join();
  CHECK_MESSAGE(ok(w), describe(w));
  CHECK(took < 3s);
}

TEST_CASE("a pull that fails inside its 200 stream is an error; registry auth is base64url") {
  FakeDaemon fake({kChunkedHead,
                   chunk("{\"status\":\"Pulling from team/app\",\"id\":\"v1\"}\n{\"status\":\"Wai"),
                   chunk("ting\",\"id\":\"abc\"}\n"),
                   chunk("{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}\n"),
                   "0\r\n\r\n"});
  auto client = rt::make_docker_client(fake.path, 5s);
  auto r = client->pull_image("localhost:5000/team/app:v1", R"({"username":"AWS","password":"??>>~"})");
  REQUIRE_FALSE(ok(r));
  CHECK(error_of(r).http_status == 500);
  CHECK(error_of(r).message == "manifest unknown");
  CHECK(fake.received().starts_with("POST /v1.41/images/create?fromImage=localhost%3A5000%2Fteam%2Fapp&tag=v1 HTTP/1.1\r\n"));
  CHECK(fake.received().find("\r\nX-Registry-Auth: eyJ1c2VybmFtZSI6IkFXUyIsInBhc3N3b3JkIjoiPz8-Pn4ifQ==\r\n") !=
        std::string::npos);
}

TEST_CASE("a pull whose stream ends without an error line succeeds") {
  FakeDaemon fake({kChunkedHead, chunk("{\"status\":\"Pulling from app\"}\n"),
                   chunk("{\"status\":\"Status: Downloaded newer image for app:latest\"}\n"), "0\r\n\r\n"});
  auto client = rt::make_docker_client(fake.path, 5s);
  auto r = client->pull_image("app@sha256:0123", "");
  CHECK_MESSAGE(ok(r), describe(r));
  CHECK(fake.received().starts_with("POST /v1.41/images/create?fromImage=app&tag=sha256%3A0123 HTTP/1.1\r\n"));
  CHECK(fake.received().find("X-Registry-Auth") == std::string::npos);
}

TEST_CASE("events split across chunks are parsed, and the end of the stream is an error") {
  const std::string start =
      R"({"status":"start","id":"c1","Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{"berth.task":"t1","name":"x"}},"time":1,"timeNano":1700000000000000001})";
  const std::string die =
      R"({"Type":"container","Action":"die","Actor":{"ID":"c1","Attributes":{"exitCode":"3"}},"timeNano":1700000000000000002})";
  FakeDaemon fake({kChunkedHead, chunk(start.substr(0, 40)), chunk(start.substr(40) + "\n" + die.substr(0, 10)),
                   chunk(die.substr(10) + "\n"), "0\r\n\r\n"});
  auto client = rt::make_docker_client(fake.path, 5s);
  std::vector<rt::DockerEvent> events;
  auto r = client->watch_events({"berth.task"}, [&](const rt::DockerEvent& e) { events.push_back(e); },
                                [] { return true; });
  REQUIRE_FALSE(ok(r));
  CHECK(error_of(r).unreachable());
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == "container");
  CHECK(events[0].action == "start");
  CHECK(events[0].id == "c1");
  CHECK(events[0].attributes.at("berth.task") == "t1");
  CHECK(events[0].time_nanos == 1700000000000000001);
  CHECK(events[1].action == "die");
  CHECK(events[1].attributes.at("exitCode") == "3");
  CHECK(fake.received().starts_with(
      "GET /v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%5D%2C%22label%22%3A%5B%22berth.task%22%5D%7D "));
}

TEST_CASE("a log stream is demultiplexed into lines with nanosecond timestamps, whatever its chunking") {
  // Two frames are cut by the chunking inside their headers, others in their text or exactly
  // at a frame boundary. "three" spans two stdout frames with a stderr frame between them; the
  // long line comes as Docker's partial messages, each with its own timestamp.
  const std::string stream =
      frame(1, "2024-01-02T03:04:05.123456789Z one\n") +
      frame(2, "2024-01-02T03:04:05.200000001Z two\n") +
      frame(1, "2024-01-02T03:04:06.000000000Z thr") +
      frame(2, "2024-01-02T03:04:06.5Z between\n") +
      frame(1, "ee\n") +
      frame(1, "2024-01-02T03:04:07Z a long ") +
      frame(1, "2024-01-02T03:04:07.000000002Z line\n") +
      frame(1, "2024-01-02T04:04:08.000000001+01:00 offset\n2024-01-02T03:04:08.000000002Z  two in one frame\n") +
      frame(1, "2024-01-02T03:04:09.999999999Z \n") +
      frame(2, "2024-01-02T03:04:10.000000010Z no newline at the end");
  std::vector<std::string> pieces{kChunkedHead};
  for (auto& c : chunks_of(stream, 13)) pieces.push_back(std::move(c));
  pieces.back() += chunk(std::string(1, '\0'));  // fragment of a header: a frame cut short
  pieces.push_back("0\r\n\r\n");
  FakeDaemon fake(std::move(pieces));
  auto client = rt::make_docker_client(fake.path, 5s);
  std::vector<rt::LogLine> lines;
  auto r = client->follow_logs("c1", 1704164645123456789, [&](const rt::LogLine& l) { lines.push_back(l); },
                               [] { return true; });
  CHECK_MESSAGE(ok(r), describe(r));
  CHECK(fake.received().starts_with(
      "GET /v1.41/containers/c1/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=1704164645.123456789 HTTP/1.1\r\n"));
  struct Want {
    std::int64_t t;
    bool err;
    std::string text;
  };
  const std::vector<Want> want{
      {kJan2 + 123456789, false, "one"},
      {kJan2 + 200000001, true, "two"},
      {kJan2 + 1500000000, true, "between"},
      {kJan2 + 1000000000, false, "three"},
      {kJan2 + 2000000000, false, "a long line"},
      {kJan2 + 3000000001, false, "offset"},
      {kJan2 + 3000000002, false, " two in one frame"},
      {kJan2 + 4999999999, false, ""},
      {kJan2 + 5000000010, true, "no newline at the end"},
  };
  REQUIRE(lines.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(lines[i].time_nanos == want[i].t);
    CHECK(lines[i].from_stderr == want[i].err);
    CHECK(lines[i].text == want[i].text);
  }
}

TEST_CASE("a TTY container's log stream is raw text; since 0 asks for everything") {
  FakeDaemon fake({kChunkedHead, chunk("2024-01-02T03:04:05.000000001Z hel"),
                   chunk("lo\r\n2024-01-02T03:04:05.000000002Z wor"), chunk("ld"), "0\r\n\r\n"});
  auto client = rt::make_docker_client(fake.path, 5s);
  std::vector<rt::LogLine> lines;
  auto r = client->follow_logs("tty", 0, [&](const rt::LogLine& l) { lines.push_back(l); }, [] { return true; });
  CHECK_MESSAGE(ok(r), describe(r));
  CHECK(fake.received().find("/containers/tty/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=0.000000000 ") !=
        std::string::npos);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].text == "hello");
  CHECK(lines[0].time_nanos == kJan2 + 1);
  CHECK_FALSE(lines[0].from_stderr);
  CHECK(lines[1].text == "world");
  CHECK(lines[1].time_nanos == kJan2 + 2);
}

TEST_CASE("a refused log request, a broken log stream and a daemon error frame are errors") {
  {
    const std::string body = "{\"message\":\"No such container: c404\"}";
    FakeDaemon fake({"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body});
    auto client = rt::make_docker_client(fake.path, 5s);
    auto r = client->follow_logs("c404", 0, [](const rt::LogLine&) {}, [] { return true; });
    REQUIRE_FALSE(ok(r));
    CHECK(error_of(r).not_found());
    CHECK(error_of(r).message == "No such container: c404");
  }
  {
    // The connection closes without the last chunk.
    FakeDaemon fake({kChunkedHead, chunk(frame(1, "2024-01-02T03:04:05Z partial\n"))});
    auto client = rt::make_docker_client(fake.path, 5s);
    std::vector<std::string> texts;
    auto r = client->follow_logs("c1", 0, [&](const rt::LogLine& l) { texts.push_back(l.text); }, [] { return true; });
    REQUIRE_FALSE(ok(r));
    CHECK(error_of(r).unreachable());
    CHECK(texts == std::vector<std::string>{"partial"});
  }
  {
    FakeDaemon fake({kChunkedHead, chunk(frame(3, "error from daemon: file vanished\n")), "0\r\n\r\n"});
    auto client = rt::make_docker_client(fake.path, 5s);
    auto r = client->follow_logs("c1", 0, [](const rt::LogLine&) {}, [] { return true; });
    REQUIRE_FALSE(ok(r));
    CHECK(error_of(r).http_status == 500);
    CHECK(error_of(r).message == "error from daemon: file vanished");
  }
}

TEST_CASE("a log follow stops within about a second of keep_going turning false, busy or silent") {
  auto stop_after = [](std::atomic<bool>& keep, std::chrono::milliseconds after) {
    return std::thread([&keep, after] {
      std::this_thread::sleep_for(after);
      keep = false;
    });
  };
  {
    // Nothing ever answers: the request itself is abandoned.
    ListeningSocket silent;
    auto client = rt::make_docker_client(silent.path, 60s);
    std::atomic<bool> keep{true};
    auto stopper = stop_after(keep, 300ms);
    auto started = std::chrono::steady_clock::now();
    auto r = client->follow_logs("c1", 0, [](const rt::LogLine&) {}, [&] { return keep.load(); });
    auto took = std::chrono::steady_clock::now() - started;
    stopper.join();
    CHECK_MESSAGE(ok(r), describe(r));
    CHECK(took < 3s);
  }
  {
    // A line every 20 ms for 4 s: the reads never wait a whole second, keep_going is still polled.
    std::vector<std::string> pieces{kChunkedHead};
    for (int i = 0; i < 200; ++i) pieces.push_back(chunk(frame(1, "2024-01-02T03:04:05Z busy\n")));
    FakeDaemon fake(std::move(pieces));
    auto client = rt::make_docker_client(fake.path, 60s);
    std::atomic<bool> keep{true};
    int seen = 0;
    auto stopper = stop_after(keep, 300ms);
    auto started = std::chrono::steady_clock::now();
    auto r = client->follow_logs("c1", 0, [&](const rt::LogLine&) { ++seen; }, [&] { return keep.load(); });
    auto took = std::chrono::steady_clock::now() - started;
    stopper.join();
    CHECK_MESSAGE(ok(r), describe(r));
    CHECK(seen > 0);
    CHECK(took < 2500ms);
  }
}

TEST_CASE("container lifecycle: create, start, inspect, list, stop, remove" * doctest::skip(no_daemon())) {
  REQUIRE_DAEMON(docker);
  const std::string run = random_suffix();
  Created created{*docker, {}, {}};
  const std::string name = "berth-test-httpd-" + run;

  auto id_r = docker->create_container(
      name, create_body({"/bin/busybox", "httpd", "-f", "-p", "8080"}, {{"berth-test", "1"}, {"berth-test-run", run}}, true));
  REQUIRE_MESSAGE(ok(id_r), describe(id_r));
  const std::string id = std::get<std::string>(id_r);
  created.containers.push_back(id);

  auto before = docker->inspect_container(id);
  REQUIRE(ok(before));
  CHECK(std::get<rt::ContainerInfo>(before).status == "created");
  CHECK_FALSE(std::get<rt::ContainerInfo>(before).exit_code.has_value());

  auto started = docker->start_container(id);
  REQUIRE_MESSAGE(ok(started), describe(started));
  CHECK(ok(docker->start_container(id)));  // already running: 304, still success

  auto info_r = docker->inspect_container(id);
  REQUIRE_MESSAGE(ok(info_r), describe(info_r));
  const auto info = std::get<rt::ContainerInfo>(info_r);
  CHECK(info.id == id);
  CHECK(info.name == name);
  CHECK(info.image == kImage);
  CHECK(info.image_id.starts_with("sha256:"));
  CHECK(info.status == "running");
  CHECK(info.running);
  CHECK_FALSE(info.exit_code.has_value());
  CHECK_FALSE(info.started_at.empty());
  CHECK_FALSE(info.health.has_value());
  CHECK(info.labels.at("berth-test-run") == run);
  REQUIRE(info.ports.size() == 1);
  CHECK(info.ports[0].container_port == 8080);
  CHECK(info.ports[0].protocol == "tcp");
  CHECK(info.ports[0].host_ip == "127.0.0.1");
  CHECK(info.ports[0].host_port > 0);
  CHECK(info.network_ips.count("bridge") == 1);

  auto listed_r = docker->list_containers({"berth-test-run=" + run, "berth-test"});
  REQUIRE_MESSAGE(ok(listed_r), describe(listed_r));
  const auto listed = std::get<std::vector<rt::ContainerInfo>>(listed_r);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].id == id);
  CHECK(listed[0].name == name);
  CHECK(listed[0].status == "running");
  CHECK(listed[0].running);
  CHECK(listed[0].image_id == info.image_id);
  CHECK(listed[0].labels.at("berth-test") == "1");
  REQUIRE(listed[0].ports.size() == 1);
  CHECK(listed[0].ports[0].host_port == info.ports[0].host_port);
  CHECK(listed[0].ports[0].container_port == 8080);
  CHECK(listed[0].ports[0].host_ip == "127.0.0.1");
  CHECK(std::get<std::vector<rt::ContainerInfo>>(docker->list_containers({"berth-test-run=other-" + run})).empty());

  auto stopped = docker->stop_container(id, 1s);
  REQUIRE_MESSAGE(ok(stopped), describe(stopped));
  CHECK(ok(docker->stop_container(id, 1s)));  // already stopped: 304, still success

  auto after_r = docker->inspect_container(id);
  REQUIRE(ok(after_r));
  const auto after = std::get<rt::ContainerInfo>(after_r);
  CHECK(after.status == "exited");
  CHECK_FALSE(after.running);
  CHECK(after.exit_code.has_value());
  CHECK_FALSE(after.finished_at.empty());
  CHECK(after.ports.empty());

  auto removed = docker->remove_container(id, false);
  CHECK_MESSAGE(ok(removed), describe(removed));
  CHECK(error_of(docker->inspect_container(id)).not_found());
  CHECK(error_of(docker->remove_container(id, true)).not_found());
}

TEST_CASE("the event stream reports start and die with the exit code" * doctest::skip(no_daemon())) {
  REQUIRE_DAEMON(docker);
  const std::string run = random_suffix();
  Created created{*docker, {}, {}};

  std::mutex mu;
  std::vector<rt::DockerEvent> events;
  std::atomic<bool> keep{true}, polled{false};
  rt::DockerResult<rt::Ok> watch_result = rt::DockerError{-1, "not finished"};
  std::thread watcher([&] {
    watch_result = docker->watch_events(
        {"berth-test-run=" + run},
        [&](const rt::DockerEvent& ev) {
          std::lock_guard lock(mu);
          events.push_back(ev);
        },
        [&] {
          polled = true;
          return keep.load();
        });
  });
  // keep_going is first polled once the subscription has been waiting for a second.
  for (int i = 0; i < 50 && !polled; ++i) std::this_thread::sleep_for(100ms);

  // A container without the run label must not show up.
  auto other = docker->create_container("", create_body({"/bin/sh", "-c", "exit 0"}, {{"berth-test", "1"}}, false));
  REQUIRE(ok(other));
  created.containers.push_back(std::get<std::string>(other));
  CHECK(ok(docker->start_container(std::get<std::string>(other))));

  auto id_r = docker->create_container(
      "berth-test-exit-" + run, create_body({"/bin/sh", "-c", "exit 3"}, {{"berth-test", "1"}, {"berth-test-run", run}}, false));
  REQUIRE_MESSAGE(ok(id_r), describe(id_r));
  const std::string id = std::get<std::string>(id_r);
  created.containers.push_back(id);
  REQUIRE(ok(docker->start_container(id)));

  bool saw_start = false, saw_die = false, saw_other = false;
  for (int i = 0; i < 200 && !saw_die; ++i) {
    std::this_thread::sleep_for(50ms);
    std::lock_guard lock(mu);
    for (const auto& ev : events) {
      if (ev.id != id) saw_other = true;
      if (ev.id == id && ev.action == "start") saw_start = true;
      if (ev.id == id && ev.action == "die") {
        saw_die = true;
        CHECK(ev.type == "container");
        CHECK(ev.attributes.at("exitCode") == "3");
        CHECK(ev.attributes.at("berth-test-run") == run);
        CHECK(ev.time_nanos > 0);
      }
    }
  }
  CHECK(saw_start);
  CHECK(saw_die);
  CHECK_FALSE(saw_other);

  auto stop_at = std::chrono::steady_clock::now();
  keep = false;
  watcher.join();
  CHECK(std::chrono::steady_clock::now() - stop_at < 3s);
  CHECK_MESSAGE(ok(watch_result), describe(watch_result));

  auto info = docker->inspect_container(id);
  REQUIRE(ok(info));
  CHECK(std::get<rt::ContainerInfo>(info).status == "exited");
  CHECK(std::get<rt::ContainerInfo>(info).exit_code == 3);
  CHECK_FALSE(std::get<rt::ContainerInfo>(info).oom_killed);
}

TEST_CASE("following a real container's logs: lines in order with streams and timestamps, and since" * doctest::skip(no_daemon())) {
  REQUIRE_DAEMON(docker);
  const std::string run = random_suffix();
  Created created{*docker, {}, {}};
  auto id_r = docker->create_container(
      // Docker copies stdout and stderr in separate goroutines and stamps a line when it copies
      // it: two echoes a few microseconds apart may come out swapped. The pause orders them.
      "berth-test-logs-" + run, create_body({"/bin/sh", "-c", "echo one; sleep 0.2; echo two >&2; sleep 1; echo three"},
                                            {{"berth-test", "1"}, {"berth-test-run", run}}, false));
  REQUIRE_MESSAGE(ok(id_r), describe(id_r));
  const std::string id = std::get<std::string>(id_r);
  created.containers.push_back(id);
  const auto before = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  REQUIRE(ok(docker->start_container(id)));

  // The follow ends by itself when the container exits; the deadline only guards the test.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  auto guard = [&] { return std::chrono::steady_clock::now() < deadline; };
  std::vector<rt::LogLine> lines;
  auto r = docker->follow_logs(id, 0, [&](const rt::LogLine& l) { lines.push_back(l); }, guard);
  CHECK_MESSAGE(ok(r), describe(r));
  CHECK(guard());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].text == "one");
  CHECK_FALSE(lines[0].from_stderr);
  CHECK(lines[1].text == "two");
  CHECK(lines[1].from_stderr);
  CHECK(lines[2].text == "three");
  CHECK_FALSE(lines[2].from_stderr);
  CHECK(lines[0].time_nanos > before - 5'000'000'000);  // the daemon's clock is this machine's
  CHECK(lines[0].time_nanos < lines[1].time_nanos);
  CHECK(lines[1].time_nanos + 900'000'000 < lines[2].time_nanos);  // `sleep 1` between them

  std::vector<rt::LogLine> rest;
  auto again = docker->follow_logs(id, lines[1].time_nanos + 1, [&](const rt::LogLine& l) { rest.push_back(l); }, guard);
  CHECK_MESSAGE(ok(again), describe(again));
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].text == "three");
  CHECK(rest[0].time_nanos == lines[2].time_nanos);
  CHECK_FALSE(rest[0].from_stderr);

  // Docker cuts a line longer than 16 KiB into messages, each with its own timestamp.
  auto longer = docker->create_container(
      "", create_body({"/bin/sh", "-c", "head -c 40000 /dev/zero | tr '\\0' a; echo; echo next"},
                      {{"berth-test", "1"}, {"berth-test-run", run}}, false));
  REQUIRE(ok(longer));
  created.containers.push_back(std::get<std::string>(longer));
  REQUIRE(ok(docker->start_container(std::get<std::string>(longer))));
  std::vector<rt::LogLine> long_lines;
  auto long_r = docker->follow_logs(std::get<std::string>(longer), 0,
                                    [&](const rt::LogLine& l) { long_lines.push_back(l); }, guard);
  CHECK_MESSAGE(ok(long_r), describe(long_r));
  REQUIRE(long_lines.size() == 2);
  CHECK(long_lines[0].text == std::string(40000, 'a'));
  CHECK(long_lines[1].text == "next");

  // A container that runs on: the follow waits, and stops when told to.
  auto sleeper = docker->create_container(
      "", create_body({"/bin/sh", "-c", "echo ready; sleep 60"}, {{"berth-test", "1"}, {"berth-test-run", run}}, false));
  REQUIRE(ok(sleeper));
  created.containers.push_back(std::get<std::string>(sleeper));
  REQUIRE(ok(docker->start_container(std::get<std::string>(sleeper))));
  std::atomic<bool> saw_ready{false};
  auto started = std::chrono::steady_clock::now();
  auto stopped = docker->follow_logs(
      std::get<std::string>(sleeper), 0, [&](const rt::LogLine& l) { saw_ready = saw_ready || l.text == "ready"; },
      [&] { return !saw_ready && guard(); });
  CHECK_MESSAGE(ok(stopped), describe(stopped));
  CHECK(saw_ready);
  CHECK(std::chrono::steady_clock::now() - started < 10s);

  auto missing = docker->follow_logs("berth-test-no-such-container-" + run, 0, [](const rt::LogLine&) {}, guard);
  CHECK(error_of(missing).not_found());
}

TEST_CASE("daemon errors come back as values with their HTTP status" * doctest::skip(no_daemon())) {
  REQUIRE_DAEMON(docker);
  auto missing = docker->inspect_container("berth-test-no-such-container-" + random_suffix());
  REQUIRE_FALSE(ok(missing));
  CHECK(error_of(missing).not_found());
  CHECK_FALSE(error_of(missing).message.empty());
  CHECK(error_of(docker->kill_container("berth-test-no-such-container", "SIGKILL")).not_found());
  CHECK(error_of(docker->start_container("berth-test-no-such-container")).not_found());
  CHECK(error_of(docker->inspect_image("berth-test-no-such-image:never")).not_found());

  auto bad_create = docker->create_container("", "{not json");
  REQUIRE_FALSE(ok(bad_create));
  CHECK(error_of(bad_create).http_status >= 400);  // Docker 20.10 says 500 for a malformed body
  CHECK(error_of(bad_create).message.find("invalid character") != std::string::npos);

  // Loopback only: nothing listens on port 1, so the pull fails without leaving the machine.
  auto pulled = docker->pull_image("127.0.0.1:1/nothing:latest", R"({"username":"AWS","password":"x"})");
  REQUIRE_FALSE(ok(pulled));
  CHECK_FALSE(error_of(pulled).unreachable());
  CHECK_FALSE(error_of(pulled).message.empty());
}

TEST_CASE("ensure_network creates a labelled bridge network once and then finds it" * doctest::skip(no_daemon())) {
  REQUIRE_DAEMON(docker);
  const std::string run = random_suffix();
  Created created{*docker, {}, {}};

  auto first = docker->ensure_network("berth-test-net-" + run, "", "");
  REQUIRE_MESSAGE(ok(first), describe(first));
  created.networks.push_back(std::get<std::string>(first));
  auto second = docker->ensure_network("berth-test-net-" + run, "", "");
  REQUIRE(ok(second));
  CHECK(std::get<std::string>(second) == std::get<std::string>(first));

  auto with_subnet = docker->ensure_network("berth-test-subnet-" + run, "10.213.77.0/24", "10.213.77.1");
  REQUIRE_MESSAGE(ok(with_subnet), describe(with_subnet));
  created.networks.push_back(std::get<std::string>(with_subnet));
  auto raw = rt::test_support::raw_request("", "GET", "/networks/" + std::get<std::string>(with_subnet), "", "");
  REQUIRE(ok(raw));
  const auto& body = std::get<rt::test_support::RawResponse>(raw).body;
  CHECK(body.find("\"Subnet\":\"10.213.77.0/24\"") != std::string::npos);
  CHECK(body.find("\"Gateway\":\"10.213.77.1\"") != std::string::npos);
  CHECK(body.find("\"berth\":\"1\"") != std::string::npos);
  CHECK(body.find("\"Driver\":\"bridge\"") != std::string::npos);
}
