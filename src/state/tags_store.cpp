#include "state/tags_store.h"

namespace berth::state {

std::vector<Tag> TagsStore::list(std::string_view arn) {
  std::vector<Tag> out;
  auto q = c_.query("SELECT key, value FROM tags WHERE arn = ? ORDER BY seq", arn);
  while (q.step()) out.emplace_back(q.str(0), q.str(1));
  return out;
}

std::size_t TagsStore::count(std::string_view arn) {
  auto q = c_.query("SELECT count(*) FROM tags WHERE arn = ?", arn);
  q.step();
  return static_cast<std::size_t>(q.int64(0));
}

void TagsStore::put(std::string_view arn, const std::vector<Tag>& tags) {
  for (const auto& [k, v] : tags) {
    c_.query(
          "INSERT INTO tags (arn, key, value, seq) VALUES (?, ?, ?, "
          "(SELECT coalesce(max(seq), 0) + 1 FROM tags WHERE arn = ?1)) "
          "ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value",
          arn, k, v)
        .run();
  }
}

void TagsStore::remove(std::string_view arn, const std::vector<std::string>& keys) {
  for (const auto& k : keys) c_.query("DELETE FROM tags WHERE arn = ? AND key = ?", arn, k).run();
}

void TagsStore::remove_all(std::string_view arn) {
  c_.query("DELETE FROM tags WHERE arn = ?", arn).run();
}

}  // namespace berth::state
