// smithy-rpc-v2-cbor (CloudWatch's preferred protocol for SDKs other than botocore):
// `POST /service/PREFIX/operation/OP` with `smithy-protocol: rpc-v2-cbor`, CBOR bodies both
// ways. Input converts to JSON without the model (byte strings become base64 text, tag 1
// timestamps their epoch seconds, as JSON clients send them); output walks the output shape,
// since only the model says which JSON strings are blobs and which numbers timestamps.
#include <cmath>

#include "api/protocols/protocol.h"
#include "common/base64.h"
#include "common/cbor.h"

namespace berth::api::protocols {
namespace {
using Type = Shape::Type;
using Kind = cbor::Item::Kind;
using rapidjson::Value;

struct Bad {
  std::string why;
};

void to_json(const cbor::Item& it, Value& out, rapidjson::Document::AllocatorType& a) {
  switch (it.kind) {
    case Kind::Unsigned:
      out.SetUint64(it.number);
      return;
    case Kind::Negative:
      if (it.number > static_cast<std::uint64_t>(INT64_MAX)) throw Bad{"integer out of range"};
      out.SetInt64(-1 - static_cast<std::int64_t>(it.number));
      return;
    case Kind::Bytes: {
      std::string b64 = base64::encode(it.text);
      out.SetString(b64.c_str(), static_cast<rapidjson::SizeType>(b64.size()), a);
      return;
    }
    case Kind::Text:
      out.SetString(it.text.c_str(), static_cast<rapidjson::SizeType>(it.text.size()), a);
      return;
    case Kind::Array:
      out.SetArray();
      for (const auto& e : it.items) {
        Value v;
        to_json(e, v, a);
        out.PushBack(v, a);
      }
      return;
    case Kind::Map:
      out.SetObject();
      for (std::size_t i = 0; i + 1 < it.items.size(); i += 2) {
        if (it.items[i].kind != Kind::Text) throw Bad{"a map key is not a text string"};
        const cbor::Item& val = it.items[i + 1];
        if (val.kind == Kind::Null || val.kind == Kind::Undefined) continue;  // null members are absent
        Value v;
        to_json(val, v, a);
        out.AddMember(Value(it.items[i].text.c_str(), static_cast<rapidjson::SizeType>(it.items[i].text.size()), a),
                      v, a);
      }
      return;
    case Kind::Tag: {
      const cbor::Item& inner = it.items.front();
      if (it.number != 1 || !(inner.is_integer() || inner.kind == Kind::Float))
        throw Bad{"unsupported tag " + std::to_string(it.number)};
      if (inner.is_integer()) to_json(inner, out, a);
      else out.SetDouble(inner.real);
      return;
    }
    case Kind::False:
    case Kind::True:
      out.SetBool(it.kind == Kind::True);
      return;
    case Kind::Null:
    case Kind::Undefined:
      out.SetNull();
      return;
    case Kind::Float:
      out.SetDouble(it.real);
      return;
  }
}

void write_number(cbor::Writer& w, const Value& v) {
  if (v.IsUint64()) w.unsigned_int(v.GetUint64());
  else if (v.IsInt64()) w.integer(v.GetInt64());
  else w.floating(v.GetDouble());
}

// Free-form JSON (document shapes, or values the shape does not describe) as CBOR.
void write_any(cbor::Writer& w, const Value& v) {
  if (v.IsNull()) return w.null();
  if (v.IsBool()) return w.boolean(v.GetBool());
  if (v.IsNumber()) return write_number(w, v);
  if (v.IsString()) return w.text(json::view(v));
  if (v.IsArray()) {
    w.array(v.Size());
    for (const auto& e : v.GetArray()) write_any(w, e);
    return;
  }
  w.map(v.MemberCount());
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    w.text(json::view(m->name));
    write_any(w, m->value);
  }
}

void write(cbor::Writer& w, const Shape& s, const Value& v) {
  if (s.document) return write_any(w, v);
  switch (s.type) {
    case Type::Structure: {
      if (!v.IsObject()) break;
      std::uint64_t n = 0;
      for (const Member& m : s.members) {
        auto it = v.FindMember(m.name.c_str());
        n += it != v.MemberEnd() && !it->value.IsNull();
      }
      w.map(n);
      for (const Member& m : s.members) {
        auto it = v.FindMember(m.name.c_str());
        if (it == v.MemberEnd() || it->value.IsNull()) continue;
        w.text(m.name);
        write(w, *m.shape, it->value);
      }
      return;
    }
    case Type::List:
      if (!v.IsArray()) break;
      w.array(v.Size());
      for (const auto& e : v.GetArray()) write(w, *s.member, e);
      return;
    case Type::Map:
      if (!v.IsObject()) break;
      w.map(v.MemberCount());
      for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
        w.text(json::view(m->name));
        write(w, *s.value, m->value);
      }
      return;
    case Type::Blob:
      if (!v.IsString()) break;
      if (auto bytes = base64::decode(json::view(v))) return w.bytes(*bytes);
      return w.bytes(json::view(v));
    case Type::Timestamp:
      if (!v.IsNumber()) break;
      w.tag(1);
      return write_number(w, v);
    case Type::Float:
    case Type::Double:
      if (!v.IsNumber()) break;
      return w.float64(v.GetDouble());
    default: break;
  }
  write_any(w, v);
}

class RpcV2Cbor final : public Protocol {
 public:
  std::string_view name() const override { return "rpc-v2-cbor"; }

  std::optional<AwsError> decode(const Operation&, std::string_view body, rapidjson::Document& doc) const override {
    doc.SetObject();
    if (body.empty()) return std::nullopt;  // an operation without input sends no body
    auto item = cbor::decode(body);
    if (auto* why = std::get_if<std::string>(&item)) return AwsError::serialization("Malformed CBOR: " + *why);
    const cbor::Item& root = std::get<cbor::Item>(item);
    if (root.kind != Kind::Map) return AwsError::serialization("The request body is not a CBOR map");
    try {
      to_json(root, doc, doc.GetAllocator());
    } catch (const Bad& b) {
      return AwsError::serialization("Malformed CBOR: " + b.why);
    }
    return std::nullopt;
  }

  HttpResponse success(const ServiceModel&, const Operation& op, std::string json_text,
                       std::string_view request_id) const override {
    cbor::Writer w;
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(json_text.data(), json_text.size());
    if (op.output && !doc.HasParseError()) write(w, *op.output, doc);
    else w.map(0);
    return cbor_response(200, w.take(), request_id);
  }

  HttpResponse error(const ServiceModel* model, const AwsError& e, std::string_view request_id) const override {
    cbor::Writer w;
    w.map(2);
    w.text("__type");
    w.text(shape_code(model, e));
    w.text("message");
    w.text(e.message);
    HttpResponse r = cbor_response(e.http_status, w.take(), request_id);
    if (model && model->query_compatible()) r.headers.emplace_back("x-amzn-query-error", query_error_header(model, e));
    return r;
  }

 private:
  static HttpResponse cbor_response(int status, std::string body, std::string_view request_id) {
    HttpResponse r;
    r.status = status;
    r.content_type = "application/cbor";
    r.headers.emplace_back("smithy-protocol", "rpc-v2-cbor");
    r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
    r.body = std::move(body);
    return r;
  }
};
}  // namespace

const Protocol& rpc_v2_cbor() {
  static const RpcV2Cbor p;
  return p;
}

}  // namespace berth::api::protocols
