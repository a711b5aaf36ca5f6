#pragma once
// CloudWatch's registration lists, called from register_services (kept out of api/services.h,
// which every handler includes, so adding CloudWatch did not rebuild them all; fold in later).
#include "api/operation_table.h"

namespace berth::api::cloudwatch {
void register_metrics(OperationTable& t);
void register_metric_data(OperationTable& t);
void register_alarms(OperationTable& t);
}  // namespace berth::api::cloudwatch
