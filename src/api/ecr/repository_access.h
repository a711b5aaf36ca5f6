#pragma once
// What every ECR handler starts with: the repository named in the request, or the error.
#include <variant>

#include "api/context.h"
#include "state/ecr_store.h"

namespace berth::api::ecr {

// The registry id of a request: registryId when given, else the caller's account.
std::string registry_id(const OpContext& ctx, const json::Value& in);

std::variant<state::RepositoryRow, AwsError> find_repository(OpContext& ctx, const json::Value& in);

// host[:port] of berth's registry as clients should address it.
std::string registry_host(const OpContext& ctx);
// repositoryUri of a repository: REGISTRY_HOST/NAME.
std::string repository_uri(const OpContext& ctx, std::string_view name);

// Collects blobs no repository uses any more once the call's transaction has committed.
void collect_garbage_after_commit(OpContext& ctx);

// Writes a Repository object.
void write_repository(OpContext& ctx, json::Writer& w, const state::RepositoryRow& repo);

}  // namespace berth::api::ecr
