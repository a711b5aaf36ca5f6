#pragma once
// Schema steps. Each area of state owns a list of named steps in its own *_schema.cpp; a step
// is applied once, in its list's order, and recorded by id in schema_migrations. Named steps
// let areas grow their schemas independently.
#include <vector>

#include "state/db.h"

namespace berth::state {

struct Migration {
  const char* id;   // unique and never changed once released
  const char* sql;
};

std::vector<Migration> ecs_migrations();
std::vector<Migration> logs_migrations();
std::vector<Migration> ecr_migrations();
std::vector<Migration> iam_migrations();
std::vector<Migration> elbv2_migrations();
std::vector<Migration> metrics_migrations();
std::vector<Migration> scaling_migrations();

// Every area's steps, in the order they are applied.
std::vector<Migration> all_migrations();

}  // namespace berth::state
