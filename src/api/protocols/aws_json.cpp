// awsJson1_0 and awsJson1_1: a JSON body in, the handler's JSON text out unchanged (no
// re-encoding: the JSON services' speed depends on it), errors as {"__type","message"}.
#include <rapidjson/error/en.h>

#include "api/protocols/protocol.h"

namespace berth::api::protocols {
namespace {
constexpr int kMaxJsonDepth = 200;

// How deeply arrays and objects nest in a JSON text (strings skipped). Copying or writing a
// value recurses, so bodies nested deeper than any model shape are refused up front.
int nesting_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

class AwsJson final : public Protocol {
 public:
  AwsJson(const char* name, const char* content_type) : name_(name), content_type_(content_type) {}
  std::string_view name() const override { return name_; }

  std::optional<AwsError> decode(const Operation&, std::string_view body, rapidjson::Document& doc) const override {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
      return AwsError::serialization("The request body is empty; expected a JSON object");
    if (nesting_depth(body) > kMaxJsonDepth)
      return AwsError::serialization("JSON nesting is deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    // Iterative parsing keeps deeply nested bodies off the stack.
    doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
    if (doc.HasParseError())
      return AwsError::serialization(std::string("Malformed JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()) +
                                     " at offset " + std::to_string(doc.GetErrorOffset()));
    if (!doc.IsObject()) return AwsError::serialization("Start of list found where not expected");
    return std::nullopt;
  }

  HttpResponse success(const ServiceModel&, const Operation&, std::string json_text,
                       std::string_view request_id) const override {
    HttpResponse r;
    r.status = 200;
    r.content_type = content_type_;
    r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
    r.body = std::move(json_text);
    return r;
  }

  HttpResponse error(const ServiceModel* model, const AwsError& e, std::string_view request_id) const override {
    HttpResponse r;
    r.status = e.http_status;
    r.content_type = content_type_;
    std::string code = shape_code(model, e);
    r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
    r.headers.emplace_back("x-amzn-ErrorType", code);
    if (model && model->query_compatible()) r.headers.emplace_back("x-amzn-query-error", query_error_header(model, e));
    rapidjson::StringBuffer buf;
    json::Writer w(buf);
    w.StartObject();
    json::kv(w, "__type", code);
    json::kv(w, "message", e.message);
    w.EndObject();
    r.body.assign(buf.GetString(), buf.GetSize());
    return r;
  }

 private:
  const char* name_;
  const char* content_type_;
};
}  // namespace

const Protocol& aws_json_1_0() {
  static const AwsJson p("awsJson1_0", "application/x-amz-json-1.0");
  return p;
}

const Protocol& aws_json_1_1() {
  static const AwsJson p("awsJson1_1", "application/x-amz-json-1.1");
  return p;
}

}  // namespace berth::api::protocols
