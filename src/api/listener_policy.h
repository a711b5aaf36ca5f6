#pragma once
// Who may use which listener, decided from the request head alone (no I/O, no state), before
// any routing. berth drives the Docker socket, which is root on the host, so:
// - the loopback listener serves the local user's tools, not web pages: a Host that does not
//   name berth (DNS rebinding) or an Origin that is not a loopback page is refused, AWS API
//   calls must carry an Authorization header (every SDK signs), and /_berth/reset must be a
//   request browsers cannot send cross-site without a preflight berth never answers;
// - a request whose Host names a load balancer (DNSNAME[:PORT], a *.localhost name) is not
//   berth's API but an application's traffic, exactly as on the balancer's own listener port:
//   the server hands its connection to the ELB data plane before this policy runs (main.cpp's
//   LoadBalancerHosts), so a browser page of any origin can use an app served through a
//   balancer. That opens nothing of berth: the data plane serves the rest of the connection
//   itself (a later request on it naming localhost still goes to the balancer's targets, never
//   to berth's router), and it refuses to forward to berth's own port (DataPlane::set_api_port);
//   a target that is berth reached otherwise meets this policy like any other client.
// - the task-facing listener (169.254.170.2) serves metadata and credentials to any task
//   (src/api/metadata_routes.cpp), and AWS API calls only when signed with credentials berth
//   issued to a running task: a predicate the identity layer provides.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "common/aws_error.h"

namespace berth::api {

// What a request is, for the policy: berth's own endpoints, the registry, or an AWS API call.
enum class RequestKind { Health, Reset, Registry, Aws };
RequestKind classify(const HttpRequest& req);

// "name" of a Host header value ("name:port", "[v6]:port"), lower-cased, brackets kept for v6.
std::string host_name_of(std::string_view host_header);

// Whether a --listen address is loopback only (127.0.0.0/8, ::1, localhost).
bool is_loopback_address(std::string_view listen_host);

// Methods berth serves (GET HEAD POST PUT PATCH DELETE; an X-Amz-Target only with POST): else 405.
std::optional<AwsError> check_method(const HttpRequest& req);

struct LoopbackPolicy {
  // Host names besides localhost, 127.0.0.1, [::1] and *.localhost: the --listen host, the
  // --registry-host's name and every --allow-host, as given (matched case-insensitively).
  std::vector<std::string> allowed_hosts;
};

// nullopt: serve it; otherwise the refusal to answer with.
std::optional<AwsError> check_loopback(const HttpRequest& req, const LoopbackPolicy& policy);

// Whether an AWS API call on the task-facing listener was signed with a running task's
// credentials. The identity layer fills it; until then, any Authorization header passes.
using TaskSignature = std::function<bool(const HttpRequest&)>;
std::optional<AwsError> check_task_facing(const HttpRequest& req, const TaskSignature& signed_by_task);

// Puts a check in front of a handler: a refused request never reaches it (a refused streamed
// body is read and dropped).
class GuardedHandler final : public RequestHandler {
 public:
  using Check = std::function<std::optional<AwsError>(const HttpRequest&)>;
  GuardedHandler(RequestHandler& inner, Check check) : inner_(inner), check_(std::move(check)) {}
  std::unique_ptr<BodySink> sink_for(const HttpRequest& head) override;
  HttpResponse route(const HttpRequest& req) override;

 private:
  RequestHandler& inner_;
  Check check_;
};

}  // namespace berth::api
