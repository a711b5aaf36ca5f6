#include "api/aws_json.h"

#include "common/json.h"

namespace berth::api::aws_json {
namespace {
constexpr const char* kContentType = "application/x-amz-json-1.1";
}

HttpResponse success(std::string body, std::string_view request_id) {
  HttpResponse r;
  r.status = 200;
  r.content_type = kContentType;
  r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  r.body = std::move(body);
  return r;
}

HttpResponse error(const AwsError& e, std::string_view request_id) {
  HttpResponse r;
  r.status = e.http_status;
  r.content_type = kContentType;
  r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  r.headers.emplace_back("x-amzn-ErrorType", e.code);
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::kv(w, "__type", e.code);
  json::kv(w, "message", e.message);
  w.EndObject();
  r.body.assign(buf.GetString(), buf.GetSize());
  return r;
}

}  // namespace berth::api::aws_json
