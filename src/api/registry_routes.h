#pragma once
// The Docker Registry HTTP API v2 / OCI distribution API under /v2/: the HTTP binding of the
// registry (src/registry) with ECR's authentication. Errors use the registry envelope
// {"errors":[{"code","message","detail"}]}, never the AWS one.
#include <functional>
#include <memory>

#include "api/http_types.h"
#include "common/clock.h"
#include "common/config.h"
#include "registry/auth_token.h"
#include "registry/blob_store.h"
#include "registry/uploads.h"
#include "state/db.h"

namespace berth::api {

class RegistryRoutes {
 public:
  RegistryRoutes(state::Database& db, registry::BlobStore& blobs, registry::Uploads& uploads,
                 const registry::TokenIssuer& tokens, const Clock& clock, const Config& config);
  ~RegistryRoutes();

  // Under --credentials, whether the principal a registry token was issued to still verifies
  // (registry::TokenIdentity::principal); a token failing it gets the registry's 401. Unset,
  // every genuine unexpired token passes.
  void set_principal_check(std::function<bool(std::string_view principal)> check);

  static bool handles(std::string_view path);
  // A sink for requests whose body is a blob (uploads); null for the others.
  std::unique_ptr<BodySink> sink_for(const HttpRequest& head);
  HttpResponse route(const HttpRequest& req);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::api
