#include "image_command.h"

#include <filesystem>
#include <iostream>
#include <regex>

#include "common/clock.h"
#include "registry/blob_store.h"
#include "registry/image_transfer.h"
#include "state/db.h"
#include "state/ecr_store.h"

namespace fs = std::filesystem;

namespace berth {
namespace {

bool valid_repository_name(const std::string& name) {
  static const std::regex pattern("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
  return name.size() >= 2 && name.size() <= 256 && std::regex_match(name, pattern);
}

// A repository as CreateRepository makes one with no options: MUTABLE, no scan on push, AES256.
state::RepositoryRow default_repository(const Config& cfg, const std::string& name, std::int64_t now) {
  state::RepositoryRow r;
  r.name = name;
  r.arn = "arn:aws:ecr:" + cfg.region + ":" + cfg.account_id + ":repository/" + name;
  r.created_at = now;
  r.tag_mutability = "MUTABLE";
  r.doc = R"({"imageScanningConfiguration":{"scanOnPush":false},"encryptionConfiguration":{"encryptionType":"AES256"}})";
  return r;
}

int fail(const std::string& message) {
  std::cerr << "berth: " << message << "\n";
  return 1;
}

int import_archive(const Command& cmd, state::Database& db, registry::BlobStore& blobs) {
  const ImageArgs& args = cmd.image;
  // Staged next to the blob files, so committing one is a rename.
  std::string staging = fs::path(blobs.upload_path("x")).parent_path().string();
  auto read = registry::ImageArchive::read(args.file, staging);
  if (auto* err = std::get_if<std::string>(&read)) return fail(*err);
  const auto& archive = std::get<registry::ImageArchive>(read);

  SystemClock clock;
  std::int64_t now = clock.now_millis();
  std::string error;
  std::vector<registry::ImportedImage> imported;
  bool created = false;
  db.write([&](state::Connection& c) {
    state::EcrStore store(c, {cmd.config.account_id, cmd.config.region});
    auto repo = store.repository(args.repository);
    if (!repo) {
      repo = default_repository(cmd.config, args.repository, now);
      repo->id = store.insert_repository(*repo);
      created = true;
    }
    auto result = registry::import_images(store, *repo, blobs, archive, args.tag, now);
    if (auto* err = std::get_if<std::string>(&result)) {
      error = *err;
      return false;
    }
    imported = std::get<std::vector<registry::ImportedImage>>(std::move(result));
    return true;
  });
  if (!error.empty()) return fail(error);
  if (created) std::cout << "created repository " << args.repository << "\n";
  for (const auto& i : imported)
    if (!i.child)
      std::cout << "imported " << args.repository << (i.tag ? ":" + *i.tag : "") << " " << i.digest << "\n";
  return 0;
}

int export_archive(const Command& cmd, state::Database& db, registry::BlobStore& blobs) {
  const ImageArgs& args = cmd.image;
  std::string tag = args.tag.value_or("latest");
  std::string error;
  registry::ExportedImage exported;
  db.read([&](state::Connection& c) {
    state::EcrStore store(c, {cmd.config.account_id, cmd.config.region});
    auto repo = store.repository(args.repository);
    if (!repo) {
      error = "no repository " + args.repository + " in account " + cmd.config.account_id + ", region " +
              cmd.config.region;
      return;
    }
    auto result = registry::export_image(store, *repo, blobs, tag, args.repository + ":" + tag, args.file);
    if (auto* err = std::get_if<std::string>(&result))
      error = *err;
    else
      exported = std::get<registry::ExportedImage>(result);
  });
  if (!error.empty()) return fail(error);
  std::cout << "exported " << args.repository << ":" << tag << " " << exported.manifest_digest << " (image id "
            << exported.config_digest << ") to " << args.file << "\n";
  return 0;
}
}  // namespace

int run_image_command(const Command& cmd) {
  if (!valid_repository_name(cmd.image.repository))
    return fail("not a valid repository name: " + cmd.image.repository);
  fs::path dir = cmd.config.data_dir.empty() ? Config::default_data_dir() : cmd.config.data_dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail("cannot create data directory " + dir.string() + ": " + ec.message());
  try {
    state::Database db((dir / "berth.db").string());
    registry::BlobStore blobs((dir / "registry").string());
    return cmd.image.import ? import_archive(cmd, db, blobs) : export_archive(cmd, db, blobs);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

}  // namespace berth
