// Dependencies point one way: api -> state/runtime -> common. One include root hides wrong
// edges from the linker, so this reads the #include lines.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {
// Folders under src/ and the include prefixes their files must not use.
struct Rule {
  const char* folder;
  std::vector<std::string> forbidden;
};

std::vector<std::string> violations(const Rule& rule) {
  std::vector<std::string> out;
  fs::path root = fs::path(BERTH_SOURCE_DIR) / "src" / rule.folder;
  if (!fs::exists(root)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      if (!line.starts_with("#include")) continue;
      for (const auto& f : rule.forbidden)
        if (line.find(f) != std::string::npos) out.push_back(entry.path().string() + ": " + line);
    }
  }
  return out;
}
}  // namespace

TEST_CASE("lower layers do not include upper ones, and only the server includes Beast") {
  const Rule rules[] = {
      {"common", {"\"api/", "\"state/", "\"runtime/", "\"registry/", "\"logs/", "boost/"}},
      {"state", {"\"api/", "\"runtime/", "\"registry/", "\"logs/", "\"metrics/", "boost/"}},
      {"runtime", {"\"api/"}},
      {"registry", {"\"api/", "\"runtime/", "boost/beast"}},
      {"logs", {"\"api/", "\"runtime/", "boost/"}},
      {"ecs", {"\"api/", "\"registry/", "boost/beast", "sqlite3.h"}},
      {"metrics", {"\"api/", "\"runtime/", "\"registry/", "\"logs/", "boost/", "sqlite3.h"}},
      {"api/cloudwatch", {"boost/", "sqlite3.h"}},
      {"api/autoscaling", {"boost/", "sqlite3.h"}},
      {"scaling", {"\"api/", "\"registry/", "\"logs/", "boost/", "sqlite3.h"}},
      {"api/ecs", {"boost/", "sqlite3.h"}},
      {"api/logs", {"boost/", "sqlite3.h"}},
      {"api/sts", {"boost/", "sqlite3.h"}},
      {"api/protocols", {"boost/", "sqlite3.h", "\"state/", "\"runtime/"}},
      {"iam", {"\"api/", "\"state/", "\"runtime/", "\"registry/", "\"logs/", "boost/", "sqlite3.h"}},
      {"api/iam", {"boost/", "sqlite3.h"}},
      {"api/elbv2", {"boost/", "sqlite3.h"}},
      // The data plane sits beside ecs and scaling: it reads rows, never api/ or runtime's engine.
      {"elb", {"\"api/", "\"ecs/", "\"scaling/", "\"runtime/task_engine", "sqlite3.h"}},
  };
  for (const auto& rule : rules) {
    auto bad = violations(rule);
    CHECK_MESSAGE(bad.empty(), rule.folder << ": " << (bad.empty() ? "" : bad.front()));
  }
}
