// The job that applies lifecycle policies for real: expired images deleted, evaluation recorded.
#include <doctest/doctest.h>

#include <filesystem>

#include "registry/lifecycle_apply.h"
#include "state/ecr_lifecycle_store.h"
#include "temp_dir.h"

using namespace berth;
namespace fs = std::filesystem;

TEST_CASE("apply_lifecycle_policies deletes what the policy expires and records the evaluation") {
  testing::TempDir tmp("berth-lifecycle");
  const fs::path& dir = tmp.path;
  {
    state::Database db((dir / "berth.db").string());
    registry::BlobStore blobs((dir / "registry").string());
    const std::int64_t now = 1'700'000'000'000;
    std::int64_t repo_id = 0;
    db.write([&](state::Connection& c) {
      state::EcrStore store(c, {"000000000000", "us-east-1"});
      state::RepositoryRow repo;
      repo.name = "app";
      repo.arn = "arn:aws:ecr:us-east-1:000000000000:repository/app";
      repo.lifecycle_policy =
          R"({"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]})";
      repo_id = store.insert_repository(repo);
      for (int i = 0; i < 3; ++i) {
        state::ImageRow img;
        img.digest = "sha256:" + std::string(64, static_cast<char>('a' + i));
        img.media_type = "application/vnd.oci.image.manifest.v1+json";
        img.manifest = "{}";
        img.pushed_at = now - (3 - i) * 1000;
        store.put_image(repo_id, img, {});
      }
      store.set_tag(repo_id, "latest", "sha256:" + std::string(64, 'c'));
      return true;
    });
    auto run = registry::apply_lifecycle_policies(db, blobs, now);
    CHECK(run.repositories == 1);
    CHECK(run.images_expired == 1);  // of the two untagged images, the older goes
    db.read([&](state::Connection& c) {
      state::EcrStore store(c, {"000000000000", "us-east-1"});
      auto left = store.images(repo_id);
      REQUIRE(left.size() == 2);
      CHECK(left[0].digest == "sha256:" + std::string(64, 'b'));
      CHECK(state::EcrLifecycleStore(c).evaluated_at(repo_id) == now);
    });
  }
}
