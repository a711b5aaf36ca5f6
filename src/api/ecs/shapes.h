#pragma once
// Stored rows -> the API objects ECS answers with.
#include <vector>

#include "api/context.h"
#include "state/ecs_cluster_store.h"
#include "state/ecs_task_definition_store.h"
#include "state/tags_store.h"

namespace berth::api::ecs {

// Which optional parts of a Cluster to include (DescribeClusters' `include`).
struct ClusterView {
  bool attachments = false, configurations = false, settings = false, statistics = false, tags = false;
  // What Create/Update/Delete answers carry.
  static ClusterView mutation() { return {false, true, true, false, true}; }
};

void write_cluster(OpContext& ctx, json::Writer& w, const state::ClusterRow& row, ClusterView view);
void write_tags(json::Writer& w, const std::vector<state::Tag>& tags);
void write_task_definition(json::Writer& w, const state::TaskDefinitionRow& row);
void write_failure(json::Writer& w, std::string_view arn, std::string_view reason,
                   std::string_view detail = {});
// A Describe answer's `failures` member: one {arn, reason: MISSING} for each thing not found.
void write_failures(json::Writer& w, const std::vector<std::string>& missing_arns);

// Tags from a request's `tags` member ([{key, value}]).
std::vector<state::Tag> tags_of(const json::Value& input, const char* member = "tags");

}  // namespace berth::api::ecs
