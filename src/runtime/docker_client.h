#pragma once
// The Docker Engine API as the task runtime needs it. Calls block (the engine runs them on its
// own threads) and each has a timeout; failures come back as DockerError values, never as
// exceptions. The real implementation speaks HTTP over the daemon's unix socket
// (docker_http_client.cpp); unit tests use a fake.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace berth::runtime {

struct DockerError {
  int http_status = 0;   // 0 when the daemon could not be reached at all
  std::string message;   // the daemon's "message", or the transport error
  bool unreachable() const { return http_status == 0; }
  bool not_found() const { return http_status == 404; }
};

template <class T>
using DockerResult = std::variant<T, DockerError>;
struct Ok {};

struct PortBinding {
  int container_port = 0;
  std::string protocol = "tcp";
  std::string host_ip;
  int host_port = 0;
};

// The machine behind the daemon (GET /info): what berth registers as its container instance.
struct HostInfo {
  int ncpu = 1;
  std::int64_t memory_bytes = 0;  // MemTotal
  std::string server_version;     // "20.10.24"
  std::string os_type = "linux";
  std::string architecture = "x86_64";
};

struct ContainerInfo {
  std::string id;
  std::string name;                       // without the leading '/'
  std::string image;                      // as given at create
  std::string image_id;                   // sha256:... of the image
  std::string status;                     // created, running, paused, restarting, removing, exited, dead
  bool running = false;
  std::optional<int> exit_code;           // set once the container has exited
  bool oom_killed = false;
  std::string error;                      // State.Error
  std::string started_at, finished_at;    // RFC 3339 as Docker reports them
  std::optional<std::string> health;      // healthy, unhealthy, starting when a healthcheck exists
  std::map<std::string, std::string> labels;
  std::vector<PortBinding> ports;         // NetworkSettings.Ports with host bindings
  std::map<std::string, std::string> network_ips;  // network name -> IPv4 address
};

struct DockerEvent {
  std::string type;    // "container", "image", "network", ...
  std::string action;  // "start", "die", "oom", "kill", "destroy", "health_status: healthy", ...
  std::string id;
  std::map<std::string, std::string> attributes;  // labels and e.g. exitCode
  std::int64_t time_nanos = 0;
};

struct LogLine {
  std::int64_t time_nanos = 0;  // Docker's timestamp of the line (epoch nanoseconds)
  bool from_stderr = false;
  std::string text;             // one line, without the trailing newline
};

class DockerClient {
 public:
  virtual ~DockerClient() = default;

  // GET /_ping; the API version the daemon speaks on success.
  virtual DockerResult<std::string> ping() = 0;

  // GET /info: CPUs, memory and versions of the daemon's machine.
  virtual DockerResult<HostInfo> info() = 0;

  // POST /images/create?fromImage=...&tag=... ; `registry_auth` is the X-Registry-Auth JSON
  // ({"username","password","serveraddress"}) or empty. Waits for the pull to finish and
  // reports a failure that the daemon streams inside a 200 answer as an error too (status 500,
  // the stream's message). A reference without tag or digest pulls ":latest". The client's
  // timeout bounds the silence between progress lines, not the whole pull.
  virtual DockerResult<Ok> pull_image(const std::string& reference, const std::string& registry_auth) = 0;
  // POST /images/create?fromSrc=-&repo=...&tag=...: an image made of one tar layer.
  virtual DockerResult<Ok> import_image(const std::string& tar, const std::string& repo, const std::string& tag) = 0;
  // GET /images/{name}/json: the image id, or a 404 error when the image is not present.
  virtual DockerResult<std::string> inspect_image(const std::string& reference) = 0;

  // POST /containers/create?name=...; `body` is the Engine API's create JSON. Returns the id.
  virtual DockerResult<std::string> create_container(const std::string& name, const std::string& body) = 0;
  // An already running container (304) is success.
  virtual DockerResult<Ok> start_container(const std::string& id) = 0;
  // POST /containers/{id}/stop?t=timeout: SIGTERM (or the image's stop signal), SIGKILL after.
  // The call may last the client's timeout plus `timeout`; an already stopped container (304)
  // is success.
  virtual DockerResult<Ok> stop_container(const std::string& id, std::chrono::seconds timeout) = 0;
  // `signal` as Docker names it ("SIGKILL", "KILL", "9"); empty means SIGKILL.
  virtual DockerResult<Ok> kill_container(const std::string& id, const std::string& signal) = 0;
  // Removes the container and its anonymous volumes; `force` kills it first if it runs.
  virtual DockerResult<Ok> remove_container(const std::string& id, bool force) = 0;
  // POST /containers/{id}/rename?name=...; 409 when another container has the name.
  virtual DockerResult<Ok> rename_container(const std::string& id, const std::string& name) = 0;
  virtual DockerResult<ContainerInfo> inspect_container(const std::string& id) = 0;
  // GET /containers/json?all=1&filters={"label":[...]}: every container carrying all labels
  // ("key" or "key=value"). A summary: exit code, times, health and error stay empty.
  virtual DockerResult<std::vector<ContainerInfo>> list_containers(const std::vector<std::string>& labels) = 0;

  // Networks: create if missing (bridge driver, optional subnet/gateway, label berth=1),
  // returning the id. An existing network of that name is returned as it is.
  virtual DockerResult<std::string> ensure_network(const std::string& name, const std::string& subnet,
                                                   const std::string& gateway) = 0;

  // Removes the volumes whose name starts with `prefix` (GET /volumes, DELETE /volumes/{name});
  // volumes still in use stay.
  virtual DockerResult<Ok> remove_volumes(const std::string& prefix) = 0;
  // POST /networks/{network}/connect: attaches a container (created or running) to a network.
  virtual DockerResult<Ok> connect_network(const std::string& network, const std::string& container_id) = 0;
  // GET /containers/{id}/stats?stream=false: one sample of the Engine API stats JSON, as is.
  virtual DockerResult<std::string> container_stats(const std::string& id) = 0;

  // GET /events with filters (type=container and the given labels); calls on_event for each
  // event until `keep_going()` returns false (then Ok) or the stream breaks or ends (then an
  // error with http_status 0). Runs with no overall deadline; keep_going is polled at least
  // once a second while waiting, so a stop is noticed within about a second. Events that
  // happen before the daemon has answered the subscription are not seen: resync after.
  virtual DockerResult<Ok> watch_events(const std::vector<std::string>& labels,
                                        const std::function<void(const DockerEvent&)>& on_event,
                                        const std::function<bool()>& keep_going) = 0;

  // GET /containers/{id}/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=SECONDS.NANOS
  // (since = since_nanos, 0 for everything). Demultiplexes the stream (8-byte frame headers
  // [stream type, 0,0,0, big-endian uint32 size] when the container has no TTY; raw text when it
  // has one — detect by inspecting Config.Tty or by the first byte), splits into lines (a line
  // may span frames; a final line without newline is delivered when the stream ends), parses the
  // RFC 3339 nano timestamp Docker puts before each line ("2024-01-02T03:04:05.123456789Z text"),
  // and calls on_line for each. Returns Ok when the stream ends (container stopped) or
  // keep_going() turns false (checked at least once a second even when no data arrives), an
  // error when the daemon refuses or the connection breaks.
  virtual DockerResult<Ok> follow_logs(const std::string& id, std::int64_t since_nanos,
                                       const std::function<void(const LogLine&)>& on_line,
                                       const std::function<bool()>& keep_going) = 0;
};

// Docker's timestamps ("2024-01-02T03:04:05.123456789Z", any number of fraction digits, "Z" or
// "+hh:mm") as epoch nanoseconds; nullopt unless `s` is exactly such a timestamp.
std::optional<std::int64_t> parse_rfc3339_nanos(std::string_view s);

// The client for the daemon at `socket_path`, else DOCKER_HOST (unix:// only), else
// /var/run/docker.sock. Every call opens its own connection, so one client may be used from
// several threads at once. `timeout` bounds each call (see pull, stop and watch above).
std::unique_ptr<DockerClient> make_docker_client(std::string socket_path = {},
                                                 std::chrono::seconds timeout = std::chrono::seconds(30));

}  // namespace berth::runtime
