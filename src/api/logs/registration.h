#pragma once
// CloudWatch Logs' registration lists added after api/services.h (kept out of it, which every
// handler includes, so adding them did not rebuild every handler; fold in later).
#include "api/operation_table.h"

namespace berth::api::logs {
void register_destinations(OperationTable& t);
void register_export_tasks(OperationTable& t);
void register_records(OperationTable& t);
void register_query_definitions(OperationTable& t);
}  // namespace berth::api::logs
