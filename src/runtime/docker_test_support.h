#pragma once
// Pieces of the Docker client that tests reach directly: reference splitting, and a raw call for
// the few daemon operations the engine never needs (importing a test image, removing a network).
// Not for production code: go through DockerClient.
#include <chrono>
#include <string>
#include <utility>

#include "runtime/docker_client.h"

namespace berth::runtime::test_support {

// "host:port/name:tag" -> {"host:port/name", "tag"}; "name@sha256:..." -> {"name", "sha256:..."};
// a reference without tag or digest gets "latest" (an empty tag would pull every tag).
std::pair<std::string, std::string> split_image_reference(const std::string& reference);

struct RawResponse {
  int status = 0;
  std::string body;
};

// One request to the daemon (socket resolved as make_docker_client does; `target` without the
// API version prefix, e.g. "/images/create?fromSrc=-"). Any HTTP status is a RawResponse;
// only transport failures are errors.
DockerResult<RawResponse> raw_request(const std::string& socket_path, const std::string& method,
                                      const std::string& target, const std::string& body,
                                      const std::string& content_type,
                                      std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace berth::runtime::test_support
