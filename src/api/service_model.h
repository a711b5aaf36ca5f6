#pragma once
// The AWS service models embedded at build time (models/*.json, extracted from botocore):
// operations, input shapes with their constraints, error shapes, paginators.
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace berth::api {

struct Shape;

struct Member {
  std::string name;
  const Shape* shape = nullptr;
  bool required = false;
};

struct Shape {
  enum class Type { Structure, List, Map, String, Integer, Long, Float, Double, Boolean, Timestamp, Blob };
  std::string name;
  Type type = Type::Structure;
  bool document = false;     // free-form JSON
  bool exception = false;
  int http_status = 400;     // for exceptions
  std::vector<Member> members;
  const Shape* member = nullptr;  // list element
  const Shape* key = nullptr;     // map key
  const Shape* value = nullptr;   // map value
  std::optional<double> min, max;  // length for strings, lists and maps; range for numbers
  std::vector<std::string> enum_values;
  std::string pattern;
  std::shared_ptr<const std::regex> regex;  // null when the pattern is not ECMAScript-compatible
  bool regex_ascii_only = false;             // the regex stands for the pattern on ASCII input only

  const Member* find_member(std::string_view name) const;
};

struct Paginator {
  std::string input_token, output_token, limit_key;
};

struct Operation {
  std::string name;
  const Shape* input = nullptr;
  const Shape* output = nullptr;
  std::vector<std::string> errors;
  std::optional<Paginator> paginator;
};

class ServiceModel {
 public:
  // Parses a model's JSON text; throws std::runtime_error when it is not a usable model.
  static std::unique_ptr<ServiceModel> parse(std::string_view service, std::string_view json_text);
  // The model embedded in the binary for "ecs", "ecr" or "logs".
  static std::unique_ptr<ServiceModel> embedded(std::string_view service);

  const std::string& service() const { return service_; }
  const std::string& target_prefix() const { return target_prefix_; }
  const std::string& api_version() const { return api_version_; }
  const std::string& botocore_version() const { return botocore_version_; }
  const Operation* operation(std::string_view name) const;
  const std::map<std::string, Operation, std::less<>>& operations() const { return operations_; }
  const Shape* shape(std::string_view name) const;

 private:
  std::string service_, target_prefix_, api_version_, botocore_version_;
  std::unordered_map<std::string, std::unique_ptr<Shape>> shapes_;
  std::map<std::string, Operation, std::less<>> operations_;
};

}  // namespace berth::api
