#pragma once
// SQLite access: one writer connection behind a mutex (the single writer), a pool of read-only
// connections for concurrent readers (WAL lets them read while the writer writes), prepared
// statements cached per connection. SQLite failures throw SqliteError: they are server faults.
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace berth::state {

struct SqliteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A prepared statement in use: binds on construction, resets when it goes out of scope.
class Query {
 public:
  explicit Query(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Query(const Query&) = delete;
  Query(Query&& o) noexcept : stmt_(o.stmt_), index_(o.index_) { o.stmt_ = nullptr; }
  ~Query();

  Query& bind(std::string_view v);
  Query& bind(const std::string& v) { return bind(std::string_view(v)); }
  Query& bind(const char* v) { return bind(std::string_view(v)); }
  Query& bind(std::int64_t v);
  Query& bind(int v) { return bind(static_cast<std::int64_t>(v)); }
  Query& bind(long long v) { return bind(static_cast<std::int64_t>(v)); }
  Query& bind(double v);
  Query& bind(std::nullptr_t);
  template <class T>
  Query& bind(const std::optional<T>& v) {
    return v ? bind(*v) : bind(nullptr);
  }

  // Advances to the next row; false when done. Throws on error.
  bool step();
  // Runs a statement that returns no rows.
  void run() { while (step()) {} }

  std::string_view text(int col) const;
  std::string str(int col) const { return std::string(text(col)); }
  std::int64_t int64(int col) const;
  double real(int col) const;
  bool is_null(int col) const;
  // Nullable columns: nullopt for NULL.
  std::optional<std::string> opt_str(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;

 private:
  sqlite3_stmt* stmt_;
  int index_ = 0;
};

class Connection {
 public:
  Connection(const std::string& path, bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;

  void exec(std::string_view sql);
  template <class... Args>
  Query query(std::string_view sql, Args&&... args) {
    Query q(prepare(sql));
    (q.bind(std::forward<Args>(args)), ...);
    return q;
  }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() { return db_; }

 private:
  sqlite3_stmt* prepare(std::string_view sql);
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

class Database {
 public:
  // Opens (creating if needed) the database file and applies migrations.
  explicit Database(std::string path);
  ~Database();

  // Runs f(Connection&) -> bool in one IMMEDIATE transaction on the writer: committed when f
  // returns true, rolled back when it returns false or throws. Writers run one at a time.
  void write(const std::function<bool(Connection&)>& f);
  // Runs f(Connection&) in a read transaction on a pooled read-only connection.
  void read(const std::function<void(Connection&)>& f);
  // Deletes every row of every table (POST /_berth/reset), keeping the schema.
  void wipe();

  const std::string& path() const { return path_; }
  int schema_version();

 private:
  std::unique_ptr<Connection> take_reader();
  void give_back(std::unique_ptr<Connection> c);

  std::string path_;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> readers_;
};

// Applies the schema steps past the database's user_version (state/migrations.cpp).
void migrate(Connection& c);
// The newest schema version this build knows.
int latest_schema_version();

}  // namespace berth::state
