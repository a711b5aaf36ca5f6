#pragma once
// CloudWatch Logs metric filters at ingestion: the events just stored in a group are matched
// against the group's metric filters, and each match publishes its transformations' datapoints
// to CloudWatch metrics (state/metrics_store), in the caller's write transaction. Both ingest
// paths call it: PutLogEvents and the awslogs log follower.
#include <cstdint>
#include <vector>

#include "state/db.h"
#include "state/logs_store.h"
#include "state/scope.h"

namespace berth::runtime {

// Datapoints are stored per event at the event's minute (standard resolution, SampleCount 1 per
// event); a transformation with a defaultValue publishes it once, at `now`, for a batch in which
// no event matched. Returns the datapoints published.
int publish_metric_filters(state::Connection& c, const state::Scope& scope, const state::LogGroupRow& group,
                           const std::vector<state::EventToStore>& events, std::int64_t now);

}  // namespace berth::runtime
