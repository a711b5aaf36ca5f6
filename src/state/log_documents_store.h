#pragma once
// CloudWatch Logs resources kept as JSON documents per account and region (log_documents):
// destinations, export tasks and query definitions, each under its kind and key.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "state/db.h"
#include "state/scope.h"

namespace berth::state {

struct LogDocumentRow {
  std::string key;
  std::string doc;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

class LogDocumentsStore {
 public:
  LogDocumentsStore(Connection& c, Scope scope) : c_(c), scope_(std::move(scope)) {}

  std::optional<LogDocumentRow> get(std::string_view kind, std::string_view key);
  // Every document of a kind whose key starts with prefix, by key.
  std::vector<LogDocumentRow> all(std::string_view kind, std::string_view prefix = "");
  // Inserts or replaces; a replaced row keeps its created_at.
  void put(std::string_view kind, std::string_view key, std::string_view doc, std::int64_t now);
  bool remove(std::string_view kind, std::string_view key);

 private:
  Connection& c_;
  Scope scope_;
};

}  // namespace berth::state
