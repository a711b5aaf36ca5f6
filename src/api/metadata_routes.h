#pragma once
// What tasks see at 169.254.170.2, as on ECS: the task metadata endpoint (v4, and v3 paths),
// the task role's credentials, and berth's AWS APIs (containers get AWS_ENDPOINT_URL set to
// this address, so an SDK inside a task reaches berth without configuration).
#include <functional>
#include <optional>

#include "api/http_types.h"
#include "api/metadata_path.h"
#include "common/clock.h"
#include "iam/credentials.h"
#include "runtime/docker_client.h"
#include "state/db.h"

namespace berth::api {

class MetadataRoutes final : public RequestHandler {
 public:
  MetadataRoutes(state::Database& db, runtime::DockerClient& docker, const Clock& clock, RequestHandler& aws,
                 const berth::iam::CredentialMinter& minter)
      : db_(db), docker_(docker), clock_(clock), aws_(aws), minter_(minter) {}

  // The stats sampler's last document of a container (runtime/stats_sampler), so /stats does
  // not call Docker on an HTTP thread; Docker is asked only for a container not yet sampled.
  std::function<std::optional<std::string>(const std::string& docker_id)> cached_stats;

  std::unique_ptr<BodySink> sink_for(const HttpRequest& head) override;
  HttpResponse route(const HttpRequest& req) override;

 private:
  HttpResponse metadata(const MetadataPath& asked);
  HttpResponse credentials(std::string_view id);

  state::Database& db_;
  runtime::DockerClient& docker_;
  const Clock& clock_;
  RequestHandler& aws_;
  const berth::iam::CredentialMinter& minter_;
};

}  // namespace berth::api
