#include "state/db.h"

namespace berth::state {
namespace {
[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw SqliteError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}
}  // namespace

Query::~Query() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Query& Query::bind(std::string_view v) {
  if (sqlite3_bind_text(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}
Query& Query::bind(std::int64_t v) {
  if (sqlite3_bind_int64(stmt_, ++index_, v) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}
Query& Query::bind(double v) {
  if (sqlite3_bind_double(stmt_, ++index_, v) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}
Query& Query::bind(std::nullptr_t) {
  if (sqlite3_bind_null(stmt_, ++index_) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}

bool Query::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(sqlite3_db_handle(stmt_), "step");
}

std::string_view Query::text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}
std::int64_t Query::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
double Query::real(int col) const { return sqlite3_column_double(stmt_, col); }
bool Query::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::optional<std::string> Query::opt_str(int col) const {
  if (is_null(col)) return std::nullopt;
  return str(col);
}

std::optional<std::int64_t> Query::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

Connection::Connection(const std::string& path, bool read_only) {
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw SqliteError("open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 10000);
  exec("PRAGMA foreign_keys = ON");
  if (!read_only) {
    exec("PRAGMA journal_mode = WAL");
    // NORMAL in WAL mode loses nothing on a process crash (kill -9): committed pages are in
    // the OS page cache. Only a power cut could drop the last transactions.
    exec("PRAGMA synchronous = NORMAL");
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void Connection::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    throw SqliteError("exec: " + msg + " in: " + s.substr(0, 120));
  }
}

sqlite3_stmt* Connection::prepare(std::string_view sql) {
  std::string key(sql);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK)
    fail(db_, "prepare " + key.substr(0, 120));
  cache_.emplace(std::move(key), stmt);
  return stmt;
}

Database::Database(std::string path) : path_(std::move(path)) {
  writer_ = std::make_unique<Connection>(path_, false);
  migrate(*writer_);
}

Database::~Database() = default;

void Database::write(const std::function<bool(Connection&)>& f) {
  std::lock_guard lock(write_mu_);
  writer_->exec("BEGIN IMMEDIATE");
  bool commit = false;
  try {
    commit = f(*writer_);
  } catch (...) {
    writer_->exec("ROLLBACK");
    throw;
  }
  writer_->exec(commit ? "COMMIT" : "ROLLBACK");
}

std::unique_ptr<Connection> Database::take_reader() {
  {
    std::lock_guard lock(pool_mu_);
    if (!readers_.empty()) {
      auto c = std::move(readers_.back());
      readers_.pop_back();
      return c;
    }
  }
  return std::make_unique<Connection>(path_, true);
}

void Database::give_back(std::unique_ptr<Connection> c) {
  std::lock_guard lock(pool_mu_);
  readers_.push_back(std::move(c));
}

void Database::read(const std::function<void(Connection&)>& f) {
  auto c = take_reader();
  c->exec("BEGIN");
  try {
    f(*c);
  } catch (...) {
    c->exec("ROLLBACK");
    give_back(std::move(c));
    throw;
  }
  c->exec("COMMIT");
  give_back(std::move(c));
}

void Database::wipe() {
  write([](Connection& c) {
    std::vector<std::string> tables;
    {
      auto q = c.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
      while (q.step()) tables.push_back(q.str(0));
    }
    c.exec("PRAGMA defer_foreign_keys = ON");
    for (const auto& t : tables)
      if (t != "schema_migrations") c.exec("DELETE FROM \"" + t + "\"");
    return true;
  });
}

int Database::schema_version() {
  std::lock_guard lock(write_mu_);
  auto q = writer_->query("PRAGMA user_version");
  q.step();
  return static_cast<int>(q.int64(0));
}

}  // namespace berth::state
