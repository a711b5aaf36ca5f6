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
  std::string location_name;  // XML/query name when it differs from `name` (locationName)
  bool flattened = false;     // query/XML: list or map written without its wrapper element

  // The name this member goes by on the query and XML wire.
  const std::string& wire_name() const { return location_name.empty() ? name : location_name; }
};

struct Shape {
  enum class Type { Structure, List, Map, String, Integer, Long, Float, Double, Boolean, Timestamp, Blob };
  std::string name;
  Type type = Type::Structure;
  bool document = false;     // free-form JSON
  bool exception = false;
  int http_status = 400;     // for exceptions
  std::string error_code;    // exceptions: the code on the query wire (error.code), else empty
  // Lists and maps: the XML element names of members, keys and values when the model renames
  // them (locationName); empty means "member", "key", "value".
  std::string member_name, key_name, value_name;
  bool flattened = false;    // lists and maps: written without the member/entry wrapper
  std::string timestamp_format;  // timestamps: "iso8601", "unixTimestamp", "rfc822" or empty
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
  std::string result_wrapper;  // query: the element the output's members sit in (OpResult)
};

class ServiceModel {
 public:
  // Parses a model's JSON text; throws std::runtime_error when it is not a usable model.
  static std::unique_ptr<ServiceModel> parse(std::string_view service, std::string_view json_text);
  // The model embedded in the binary for a service berth serves ("ecs", "iam", ...).
  static std::unique_ptr<ServiceModel> embedded(std::string_view service);

  const std::string& service() const { return service_; }
  // The wire protocols the service speaks ("json", "query", "smithy-rpc-v2-cbor"), first
  // the one the model prefers.
  const std::vector<std::string>& protocols() const { return protocols_; }
  bool speaks(std::string_view protocol) const;
  const std::string& json_version() const { return json_version_; }  // "1.0", "1.1" or empty
  const std::string& target_prefix() const { return target_prefix_; }
  // The service name of the SigV4 credential scope (signingName, else endpointPrefix).
  const std::string& signing_name() const { return signing_name_; }
  const std::string& xml_namespace() const { return xml_namespace_; }
  // A global service (the model names a globalEndpoint: IAM, STS) keeps one state per account
  // across regions.
  bool global() const { return global_; }
  // A former query service moved to JSON or CBOR: errors also carry x-amzn-query-error.
  bool query_compatible() const { return query_compatible_; }
  // The exception shape an error code names: by shape name, else by its query code.
  const Shape* error_shape(std::string_view code) const;
  const std::string& api_version() const { return api_version_; }
  const std::string& botocore_version() const { return botocore_version_; }
  const Operation* operation(std::string_view name) const;
  const std::map<std::string, Operation, std::less<>>& operations() const { return operations_; }
  const Shape* shape(std::string_view name) const;

 private:
  std::string service_, target_prefix_, api_version_, botocore_version_;
  std::vector<std::string> protocols_;
  std::string json_version_, signing_name_, xml_namespace_;
  bool global_ = false, query_compatible_ = false;
  std::unordered_map<std::string, std::unique_ptr<Shape>> shapes_;
  std::map<std::string, Operation, std::less<>> operations_;
};

}  // namespace berth::api
