#include <doctest/doctest.h>

#include "api/ecs/fargate.h"

namespace fg = berth::api::ecs::fargate;

TEST_CASE("task cpu is read in units or vCPUs") {
  CHECK(fg::parse_cpu("256") == 256);
  CHECK(fg::parse_cpu("1 vCPU") == 1024);
  CHECK(fg::parse_cpu("0.25 vcpu") == 256);
  CHECK(fg::parse_cpu("2vCPU") == 2048);
  CHECK_FALSE(fg::parse_cpu(""));
  CHECK_FALSE(fg::parse_cpu("lots"));
  CHECK_FALSE(fg::parse_cpu("1 GB"));
}

TEST_CASE("task memory is read in MiB or GB") {
  CHECK(fg::parse_memory("512") == 512);
  CHECK(fg::parse_memory("2 GB") == 2048);
  CHECK(fg::parse_memory("6GB") == 6144);
  CHECK_FALSE(fg::parse_memory("2 TB"));
  CHECK_FALSE(fg::parse_memory("-1"));
}

TEST_CASE("the Fargate cpu/memory table") {
  CHECK(fg::supported(256, 512));
  CHECK(fg::supported(256, 2048));
  CHECK_FALSE(fg::supported(256, 4096));
  CHECK_FALSE(fg::supported(256, 1536));
  CHECK(fg::supported(512, 3072));
  CHECK(fg::supported(1024, 8192));
  CHECK_FALSE(fg::supported(1024, 1024));
  CHECK(fg::supported(4096, 30720));
  CHECK_FALSE(fg::supported(4096, 31744));
  CHECK(fg::supported(8192, 20480));
  CHECK_FALSE(fg::supported(8192, 17408));
  CHECK(fg::supported(16384, 122880));
  CHECK_FALSE(fg::supported(300, 1024));
}
