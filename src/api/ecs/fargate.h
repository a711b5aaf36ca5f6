#pragma once
// Fargate's rules for task-level cpu and memory.
#include <optional>
#include <string>
#include <string_view>

namespace berth::api::ecs::fargate {

// Task cpu as CPU units from "256", "1024" or "1 vCPU" / "0.25 vcpu"; nullopt when unreadable.
std::optional<long> parse_cpu(std::string_view text);
// Task memory as MiB from "512", "2 GB" or "2GB"; nullopt when unreadable.
std::optional<long> parse_memory(std::string_view text);
// Whether Fargate offers this cpu/memory pair (Linux, platform 1.4.0).
bool supported(long cpu, long memory);

}  // namespace berth::api::ecs::fargate
