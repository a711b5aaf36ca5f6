#pragma once
// The pause image: one static binary that holds an awsvpc task's network namespace, so its
// containers can start, stop and depend on each other in any order, as on Fargate.
#include <string>

#include "runtime/docker_client.h"

namespace berth::runtime {

std::string pause_image();  // berth/pause:VERSION
// Imports the image from the binary embedded in berth unless Docker has it already.
DockerResult<Ok> ensure_pause_image(DockerClient& docker);

}  // namespace berth::runtime
