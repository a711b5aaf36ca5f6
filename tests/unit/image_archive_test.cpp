// Reading docker save and OCI layout tarballs (staged, hashed) and writing archives.
#include <doctest/doctest.h>

#include <filesystem>

#include "common/json.h"
#include "registry/digest.h"
#include "registry/image_archive.h"
#include "registry/manifests.h"

using namespace berth::registry;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path dir;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "berth-archive-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    fs::create_directories(dir / "staging");
  }
  ~TempDir() { fs::remove_all(dir); }
  std::string path(const char* name) const { return (dir / name).string(); }
  std::size_t staged() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir / "staging"), fs::directory_iterator()));
  }
};

const std::string kConfig = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
const std::string kPlainLayer = "plain layer bytes";
const std::string kGzipLayer = std::string("\x1f\x8b\x08\x00", 4) + "rest of a gzip stream";

std::string hex(const std::string& digest) { return digest.substr(7); }

ImageArchive read_ok(const TempDir& t, const char* name) {
  auto r = ImageArchive::read(t.path(name), t.path("staging"));
  REQUIRE_MESSAGE(std::holds_alternative<ImageArchive>(r), std::get<std::string>(r));
  return std::get<ImageArchive>(std::move(r));
}
}  // namespace

TEST_CASE("a docker save archive becomes a schema 2 manifest with its blobs staged") {
  TempDir t;
  std::string cfg = sha256_digest(kConfig);
  std::string manifest_json = R"([{"Config":")" + hex(cfg) + R"(.json","RepoTags":["app:v1"],"Layers":["l1/layer.tar","l2/layer.tar"]}])";
  REQUIRE(write_archive(t.path("save.tar"), {{hex(cfg) + ".json", "", kConfig},
                                             {"l1/layer.tar", "", kPlainLayer},
                                             {"l2/layer.tar", "", kGzipLayer},
                                             {"manifest.json", "", manifest_json}}) == "");
  {
    auto archive = read_ok(t, "save.tar");
    REQUIRE(archive.images().size() == 1);
    const auto& image = archive.images()[0];
    CHECK(image.tag == "v1");
    CHECK(image.media_type == media::kDockerManifest);
    auto parsed = parse_manifest(image.manifest, image.media_type);
    REQUIRE(std::holds_alternative<Manifest>(parsed));
    const auto& m = std::get<Manifest>(parsed);
    CHECK(m.config->digest == cfg);
    CHECK(m.config->media_type == "application/vnd.docker.container.image.v1+json");
    REQUIRE(m.layers.size() == 2);
    CHECK(m.layers[0].digest == sha256_digest(kPlainLayer));
    CHECK(m.layers[0].media_type == "application/vnd.docker.image.rootfs.diff.tar");
    CHECK(m.layers[0].size == static_cast<std::int64_t>(kPlainLayer.size()));
    CHECK(m.layers[1].media_type == "application/vnd.docker.image.rootfs.diff.tar.gzip");
    REQUIRE(archive.blobs().size() == 3);
    CHECK(archive.blobs().count(cfg) == 1);
    CHECK(t.staged() == 3);  // manifest.json itself is not kept
  }
  CHECK(t.staged() == 0);  // the archive's staging files go with it
}

TEST_CASE("an OCI image layout keeps its manifest bytes and the ref.name tag") {
  TempDir t;
  std::string cfg = sha256_digest(kConfig);
  std::string layer = sha256_digest(kGzipLayer);
  std::string manifest = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                         cfg + R"(","size":)" + std::to_string(kConfig.size()) +
                         R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" + layer +
                         R"(","size":)" + std::to_string(kGzipLayer.size()) + "}]}";
  std::string md = sha256_digest(manifest);
  std::string index = R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                      md + R"(","size":)" + std::to_string(manifest.size()) +
                      R"(,"annotations":{"org.opencontainers.image.ref.name":"v2"}}]})";
  REQUIRE(write_archive(t.path("oci.tar"), {{"oci-layout", "", R"({"imageLayoutVersion":"1.0.0"})"},
                                            {"index.json", "", index},
                                            {"blobs/sha256/" + hex(md), "", manifest},
                                            {"blobs/sha256/" + hex(cfg), "", kConfig},
                                            {"blobs/sha256/" + hex(layer), "", kGzipLayer}}) == "");
  auto archive = read_ok(t, "oci.tar");
  REQUIRE(archive.images().size() == 1);
  CHECK(archive.images()[0].manifest == manifest);
  CHECK(archive.images()[0].tag == "v2");
  CHECK(archive.blobs().size() == 2);
}

TEST_CASE("a broken archive is refused and leaves no staging file") {
  TempDir t;
  REQUIRE(write_archive(t.path("missing.tar"), {{"a.json", "", kConfig},
                                                {"manifest.json", "", R"([{"Config":"a.json","Layers":["nope/layer.tar"]}])"}}) == "");
  auto r = ImageArchive::read(t.path("missing.tar"), t.path("staging"));
  REQUIRE(std::holds_alternative<std::string>(r));
  CHECK(std::get<std::string>(r).find("nope/layer.tar") != std::string::npos);
  CHECK(t.staged() == 0);

  REQUIRE(write_archive(t.path("other.tar"), {{"hello.txt", "", "hi"}}) == "");
  auto other = ImageArchive::read(t.path("other.tar"), t.path("staging"));
  REQUIRE(std::holds_alternative<std::string>(other));
  CHECK(std::get<std::string>(other).find("not a docker save archive") != std::string::npos);
  CHECK(t.staged() == 0);

  CHECK(std::holds_alternative<std::string>(ImageArchive::read(t.path("absent.tar"), t.path("staging"))));
}

TEST_CASE("the tag of an image reference") {
  CHECK(tag_of_reference("app:v1") == "v1");
  CHECK(tag_of_reference("localhost:4566/team/app:2.0") == "2.0");
  CHECK_FALSE(tag_of_reference("localhost:4566/app").has_value());
  CHECK_FALSE(tag_of_reference("app").has_value());
}
