// The registry's rules without HTTP: digests, manifests, upload sessions, tokens.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/base64.h"
#include "registry/auth_token.h"
#include "registry/blob_store.h"
#include "registry/digest.h"
#include "registry/images.h"
#include "registry/manifests.h"
#include "registry/uploads.h"
#include "temp_dir.h"

using namespace berth::registry;
namespace fs = std::filesystem;

namespace {
using berth::testing::TempDir;
}  // namespace

TEST_CASE("SHA-256 digests match the standard test vectors, streamed or not") {
  CHECK(sha256_digest("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_digest("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 h;
  std::string million(1000000, 'a');
  for (std::size_t i = 0; i < million.size(); i += 4096) h.update(million.data() + i, std::min<std::size_t>(4096, million.size() - i));
  CHECK(h.finish() == "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(is_sha256_digest(sha256_digest("x")));
  CHECK_FALSE(is_sha256_digest("sha256:ABC"));
  CHECK(is_digest_syntax("sha512:abc"));
  CHECK_FALSE(is_digest_syntax("latest"));
}

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("manifests: media types and references") {
  std::string m = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
    "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:aa","size":7},
    "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"sha256:bb","size":100},
              {"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"sha256:cc","size":50}]})";
  auto parsed = parse_manifest(m, "application/vnd.docker.distribution.manifest.v2+json");
  REQUIRE(std::holds_alternative<Manifest>(parsed));
  auto& man = std::get<Manifest>(parsed);
  CHECK(man.layers_size() == 150);
  CHECK(man.references() == std::vector<std::string>{"sha256:aa", "sha256:bb", "sha256:cc"});
  CHECK(man.artifact_type == "application/vnd.docker.container.image.v1+json");

  auto index = parse_manifest(R"({"schemaVersion":2,"manifests":[{"digest":"sha256:dd","size":3}]})", "");
  REQUIRE(std::holds_alternative<Manifest>(index));
  CHECK(std::get<Manifest>(index).is_index());

  auto mismatch = parse_manifest(m, "application/vnd.oci.image.manifest.v1+json");
  CHECK(std::holds_alternative<std::string>(mismatch));
  CHECK(std::holds_alternative<std::string>(parse_manifest("[1]", "")));
  CHECK(std::holds_alternative<std::string>(parse_manifest(R"({"schemaVersion":1,"fsLayers":[]})",
                                                           "application/vnd.docker.distribution.manifest.v1+json")));
  CHECK(std::holds_alternative<std::string>(parse_manifest(
      R"({"schemaVersion":2,"config":{"digest":"nodigest","size":1},"layers":[]})", "")));
}

TEST_CASE("uploads commit only when the digest matches, in order") {
  TempDir dir;
  BlobStore blobs(dir.path.string());
  Uploads uploads(blobs);
  auto started = uploads.start("acct/region/repo");
  REQUIRE(started);
  const std::string id = *started;
  CHECK(uploads.append(id, "hello ", 6, 0) == Uploads::Status::Ok);
  CHECK(uploads.append(id, "world", 5, 3) == Uploads::Status::BadRange);
  CHECK(uploads.append(id, "world", 5, 6) == Uploads::Status::Ok);
  CHECK(uploads.size(id) == 11u);
  auto done = uploads.finish(id, sha256_digest("hello world"));
  CHECK(done.status == Uploads::Status::Ok);
  CHECK(blobs.size(sha256_digest("hello world")) == 11u);

  const std::string bad = uploads.start("acct/region/repo").value();
  uploads.append(bad, "abc", 3);
  auto refused = uploads.finish(bad, sha256_digest("xyz"));
  CHECK(refused.status == Uploads::Status::DigestMismatch);
  CHECK_FALSE(blobs.size(sha256_digest("abc")));
  CHECK(fs::is_empty(dir.path / "uploads"));
  CHECK(uploads.append(bad, "a", 1) == Uploads::Status::Unknown);
}

TEST_CASE("registry tokens verify, expire, and refuse tampering") {
  TempDir dir;
  TokenIssuer issuer((dir.path / "secret").string());
  auto pw = issuer.issue("123456789012", "eu-west-1", 2000);
  auto id = issuer.verify(pw, 1000);
  REQUIRE(id);
  CHECK(id->account == "123456789012");
  CHECK(id->region == "eu-west-1");
  CHECK_FALSE(issuer.verify(pw, 2000));  // expired
  std::string tampered = pw;
  tampered[tampered.size() - 1] = tampered.back() == 'a' ? 'b' : 'a';
  CHECK_FALSE(issuer.verify(tampered, 1000));
  // The same secret file gives the same verdicts after a restart.
  TokenIssuer again((dir.path / "secret").string());
  CHECK(again.verify(pw, 1000));
  CHECK(berth::base64::decode(berth::base64::encode("AWS:pw")) == std::string("AWS:pw"));
  CHECK(berth::base64::encode("any carnal pleas") == "YW55IGNhcm5hbCBwbGVhcw==");  // RFC 4648 style vectors
  CHECK(berth::base64::encode("\xfb\xff", berth::base64::Alphabet::Url, false) == "-_8");
  CHECK_FALSE(berth::base64::decode("a*b"));
}

TEST_CASE("tags follow the distribution grammar") {
  CHECK(valid_tag("latest"));
  CHECK(valid_tag("v1.2.3-rc_1"));
  CHECK_FALSE(valid_tag(".hidden"));
  CHECK_FALSE(valid_tag("a/b"));
  CHECK_FALSE(valid_tag(std::string(129, 'a')));
}

TEST_CASE("only upload files left untouched are removed as stale") {
  TempDir dir;
  BlobStore blobs(dir.path.string());
  auto old_file = fs::path(blobs.upload_path("old")), fresh_file = fs::path(blobs.upload_path("fresh"));
  std::ofstream(old_file) << "x";
  std::ofstream(fresh_file) << "y";
  fs::last_write_time(old_file, fs::file_time_type::clock::now() - std::chrono::hours(2));
  CHECK(blobs.remove_stale_uploads(std::chrono::hours(1)) == 1);
  CHECK_FALSE(fs::exists(old_file));
  CHECK(fs::exists(fresh_file));
}

TEST_CASE("blob paths are built only from sha256 and 64 lowercase hex digits") {
  TempDir dir;
  BlobStore blobs(dir.path.string());
  std::string good = sha256_digest("abc");
  CHECK(blobs.blob_path(good).find(good.substr(7)) != std::string::npos);
  for (const std::string& bad : std::vector<std::string>{"sha256:../../etc/passwd", "sha256:" + std::string(64, 'A'), "sha512:" + good.substr(7),
                          "sha256:" + std::string(63, 'a'), "sha256:" + std::string(65, 'a'), std::string(""),
                          good.substr(7), "sha256:" + std::string(62, 'a') + "/.."}) {
    CHECK_THROWS_AS(blobs.blob_path(bad), std::invalid_argument);
    CHECK_FALSE(blobs.size(bad));
    blobs.remove(bad);  // no effect, no throw
  }
}

TEST_CASE("blob files with no row are swept once old; fresh ones and recorded ones stay") {
  TempDir dir;
  BlobStore blobs(dir.path.string());
  std::string orphan = blobs.put("orphan"), fresh = blobs.put("fresh"), kept = blobs.put("kept");
  for (const auto& d : {orphan, kept})
    fs::last_write_time(blobs.blob_path(d), fs::file_time_type::clock::now() - std::chrono::hours(2));
  auto old = blobs.digests_older_than(std::chrono::hours(1));
  std::sort(old.begin(), old.end());
  std::vector<std::string> expected{orphan, kept};
  std::sort(expected.begin(), expected.end());
  CHECK(old == expected);
  CHECK(blobs.older_than(orphan, std::chrono::hours(1)));
  CHECK_FALSE(blobs.older_than(fresh, std::chrono::hours(1)));
  // Committing the same bytes again refreshes the file, so a sweep racing a re-upload leaves it.
  blobs.commit([&] {
    std::string tmp = blobs.upload_path("again");
    std::ofstream(tmp) << "kept";
    return tmp;
  }(), kept);
  CHECK_FALSE(blobs.older_than(kept, std::chrono::hours(1)));
}

TEST_CASE("open upload sessions are bounded per repository and in total") {
  TempDir dir;
  BlobStore blobs(dir.path.string());
  Uploads uploads(blobs, {.per_repository = 2, .total = 3});
  auto a1 = uploads.start("a"), a2 = uploads.start("a");
  REQUIRE((a1 && a2));
  CHECK_FALSE(uploads.start("a"));  // the repository's limit
  auto b1 = uploads.start("b");
  REQUIRE(b1);
  CHECK_FALSE(uploads.start("c"));  // berth's limit
  CHECK(uploads.cancel(*a1));
  CHECK(uploads.start("c"));  // a finished session frees its place
  CHECK(std::distance(fs::directory_iterator(dir.path / "uploads"), fs::directory_iterator()) == 3);
}
