#pragma once
// Tags of any resource, keyed by its ARN (which already names account and region).
#include <string>
#include <utility>
#include <vector>

#include "state/db.h"

namespace berth::state {

using Tag = std::pair<std::string, std::string>;

class TagsStore {
 public:
  explicit TagsStore(Connection& c) : c_(c) {}
  std::vector<Tag> list(std::string_view arn);
  std::size_t count(std::string_view arn);
  // Adds or overwrites each tag.
  void put(std::string_view arn, const std::vector<Tag>& tags);
  void remove(std::string_view arn, const std::vector<std::string>& keys);
  void remove_all(std::string_view arn);

 private:
  Connection& c_;
};

}  // namespace berth::state
