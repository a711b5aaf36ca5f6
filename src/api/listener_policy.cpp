#include "api/listener_policy.h"

#include <algorithm>
#include <cctype>

#include "api/protocols/protocol.h"
#include "common/ids.h"

namespace berth::api {
namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_loopback_name(std::string_view name) {
  return name == "localhost" || name == "127.0.0.1" || name == "[::1]" ||
         (name.size() > 10 && name.ends_with(".localhost"));
}

AwsError forbidden(std::string message) { return AwsError::client("AccessDeniedException", std::move(message), 403); }

AwsError missing_token() {
  return AwsError::client("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
}

// A query-string signature (presigned URL) counts as signed, like the header.
bool is_signed(const HttpRequest& req) {
  return !req.authorization.empty() || req.target.find("X-Amz-Signature=") != std::string::npos;
}

// The host of an Origin ("scheme://host[:port]"); empty for "null" or anything unreadable.
std::string origin_host(std::string_view origin) {
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string scheme = lower(origin.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return {};
  std::string_view rest = origin.substr(scheme_end + 3);
  if (rest.find('/') != std::string_view::npos) return {};
  return host_name_of(rest);
}
}  // namespace

bool is_loopback_address(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

RequestKind classify(const HttpRequest& req) {
  std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
  if (path == "/_berth/health") return RequestKind::Health;
  if (path == "/_berth/reset") return RequestKind::Reset;
  if (path == "/v2" || path.starts_with("/v2/")) return RequestKind::Registry;
  return RequestKind::Aws;
}

std::string host_name_of(std::string_view host) {
  if (host.starts_with('[')) {
    auto close = host.find(']');
    return lower(close == std::string_view::npos ? host : host.substr(0, close + 1));
  }
  auto colon = host.find(':');
  return lower(colon == std::string_view::npos ? host : host.substr(0, colon));
}

std::optional<AwsError> check_method(const HttpRequest& req) {
  static constexpr std::string_view served[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
  bool known = std::find(std::begin(served), std::end(served), req.method) != std::end(served);
  // An X-Amz-Target names an operation, which only a POST carries.
  if (!known || (!req.amz_target.empty() && req.method != "POST"))
    return AwsError::client("MethodNotAllowed", "The method " + req.method + " is not allowed here", 405);
  return std::nullopt;
}

std::optional<AwsError> check_loopback(const HttpRequest& req, const LoopbackPolicy& policy) {
  if (auto bad = check_method(req)) return bad;
  // Browsers always send Host; a page reaching berth through a rebound DNS name sends that name.
  if (!req.host.empty()) {
    std::string name = host_name_of(req.host);
    bool known = is_loopback_name(name) ||
                 std::any_of(policy.allowed_hosts.begin(), policy.allowed_hosts.end(),
                             [&](const std::string& h) { return host_name_of(h) == name; });
    if (!known)
      return forbidden("Host '" + name + "' does not name this berth; start berth with --allow-host " + name +
                       " to serve it");
  }
  // Only browsers send Origin: a page served from this machine's loopback may call berth, no other.
  if (std::string_view origin = req.header("Origin"); !origin.empty() && !is_loopback_name(origin_host(origin)))
    return forbidden("Requests from web pages are refused unless the page is served from a loopback address");
  switch (classify(req)) {
    case RequestKind::Health:
    case RequestKind::Registry: return std::nullopt;
    case RequestKind::Reset:
      // A JSON content type makes a browser ask first (a CORS preflight), which berth never allows.
      if (req.method == "POST" && !lower(req.content_type).starts_with("application/json"))
        return AwsError::client("BadRequest", "/_berth/reset wants Content-Type: application/json", 400);
      return std::nullopt;
    case RequestKind::Aws: return is_signed(req) ? std::nullopt : std::optional<AwsError>(missing_token());
  }
  return std::nullopt;
}

std::optional<AwsError> check_task_facing(const HttpRequest& req, const TaskSignature& signed_by_task) {
  if (auto bad = check_method(req)) return bad;
  if (classify(req) != RequestKind::Aws) return std::nullopt;
  if (!is_signed(req)) return missing_token();
  if (signed_by_task && !signed_by_task(req))
    return forbidden("Calls to this address must be signed with the credentials of a running task");
  return std::nullopt;
}

namespace {
// Swallows a refused body so the connection stays in step, then answers the refusal.
class RefusedBody final : public BodySink {
 public:
  explicit RefusedBody(AwsError e) : error_(std::move(e)) {}
  bool write(const char*, std::size_t) override { return true; }
  HttpResponse finish(bool) override { return protocols::aws_json_1_1().error(nullptr, error_, ids::uuid_v4()); }

 private:
  AwsError error_;
};
}  // namespace

std::unique_ptr<BodySink> GuardedHandler::sink_for(const HttpRequest& head) {
  if (auto refused = check_(head)) {
    // Only registry bodies stream; a refused one is read and dropped. Others are read into memory
    // within the body limit (or refused as too large) and refused by route().
    if (classify(head) == RequestKind::Registry) return std::make_unique<RefusedBody>(*refused);
    return nullptr;
  }
  return inner_.sink_for(head);
}

HttpResponse GuardedHandler::route(const HttpRequest& req) {
  if (auto refused = check_(req)) return protocols::aws_json_1_1().error(nullptr, *refused, ids::uuid_v4());
  return inner_.route(req);
}

}  // namespace berth::api
