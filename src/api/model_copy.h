#pragma once
// Copies a request value keeping only what its model shape defines, so what berth stores and
// echoes back is the modeled data the caller gave, never stray members.
#include "api/service_model.h"
#include "common/json.h"

namespace berth::api {

using Allocator = rapidjson::Document::AllocatorType;

rapidjson::Value modeled_copy(const Shape& shape, const json::Value& v, Allocator& a);

}  // namespace berth::api
