#pragma once
// ECR's registration lists added after api/services.h (kept out of it, which every handler
// includes, so adding them did not rebuild every handler; fold in later).
#include "api/operation_table.h"

namespace berth::api::ecr {
void register_scanning(OperationTable& t);
void register_pull_through_cache(OperationTable& t);
void register_creation_templates(OperationTable& t);
}  // namespace berth::api::ecr
