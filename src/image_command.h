#pragma once
// `berth image import` and `berth image export`: images between archive files and the data
// dir's registry, with no server and no Docker daemon.
#include "cli.h"

namespace berth {

// Runs the command; prints what it did on stdout, errors on stderr. Returns the exit code.
int run_image_command(const Command& cmd);

}  // namespace berth
