#pragma once
// Application Auto Scaling's registration lists (see api/cloudwatch/registration.h for why
// they are not in api/services.h yet).
#include "api/operation_table.h"

namespace berth::api::autoscaling {
void register_targets(OperationTable& t);
void register_policies(OperationTable& t);
void register_scheduled_actions(OperationTable& t);
}  // namespace berth::api::autoscaling
