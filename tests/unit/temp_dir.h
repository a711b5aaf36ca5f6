// Scratch directories for unit tests that touch the filesystem or a real SQLite file: made
// fresh under the system's temporary directory and removed with everything in it at scope end.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "state/db.h"

namespace berth::testing {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const char* prefix = "berth-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// A database file berth's migrations have brought to the latest schema.
struct TempDb {
  TempDir dir;
  std::unique_ptr<state::Database> db;
  TempDb() : db(std::make_unique<state::Database>((dir.path / "berth.db").string())) {}
  ~TempDb() { db.reset(); }  // closed before the directory goes
};

}  // namespace berth::testing
