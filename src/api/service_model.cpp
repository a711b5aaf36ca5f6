#include "api/service_model.h"

#include <rapidjson/document.h>

#include <stdexcept>

namespace berth::models {
extern const std::pair<std::string_view, std::string_view> kEmbedded[];
}

namespace berth::api {
namespace {
using rapidjson::Value;

Shape::Type type_of(std::string_view t) {
  using T = Shape::Type;
  static const std::pair<std::string_view, T> table[] = {
      {"structure", T::Structure}, {"list", T::List},       {"map", T::Map},
      {"string", T::String},       {"integer", T::Integer}, {"long", T::Long},
      {"float", T::Float},         {"double", T::Double},   {"boolean", T::Boolean},
      {"timestamp", T::Timestamp}, {"blob", T::Blob}};
  for (auto& [name, type] : table)
    if (name == t) return type;
  throw std::runtime_error("unknown shape type " + std::string(t));
}

// Java-style Unicode classes have no ECMAScript equivalent: stand in their ASCII members and
// let the validator skip the check for non-ASCII input.
std::string ascii_pattern(std::string p, bool& changed) {
  static const std::pair<std::string_view, std::string_view> classes[] = {
      {"\\p{L}", "A-Za-z"}, {"\\p{N}", "0-9"}, {"\\p{Z}", " "}};
  for (auto [from, to] : classes)
    for (auto pos = p.find(from); pos != std::string::npos; pos = p.find(from, pos)) {
      p.replace(pos, from.size(), to);
      changed = true;
    }
  return p;
}

std::string str(const Value& v, const char* key) {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string();
}
}  // namespace

const Member* Shape::find_member(std::string_view n) const {
  for (const auto& m : members)
    if (m.name == n) return &m;
  return nullptr;
}

std::unique_ptr<ServiceModel> ServiceModel::parse(std::string_view service, std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) throw std::runtime_error("model " + std::string(service) + " is not JSON");
  auto m = std::make_unique<ServiceModel>();
  m->service_ = service;
  const Value& meta = doc["metadata"];
  m->target_prefix_ = str(meta, "targetPrefix");
  m->api_version_ = str(meta, "apiVersion");
  if (meta.HasMember("protocols") && meta["protocols"].IsArray())
    for (const auto& p : meta["protocols"].GetArray()) m->protocols_.emplace_back(p.GetString());
  if (m->protocols_.empty()) m->protocols_.push_back(str(meta, "protocol"));
  m->json_version_ = str(meta, "jsonVersion");
  m->signing_name_ = str(meta, "signingName");
  if (m->signing_name_.empty()) m->signing_name_ = str(meta, "endpointPrefix");
  m->xml_namespace_ = str(meta, "xmlNamespace");
  m->global_ = meta.HasMember("globalEndpoint");
  m->query_compatible_ = meta.HasMember("awsQueryCompatible");
  m->botocore_version_ = str(doc, "botocoreVersion");

  // Two passes: create every shape, then link references.
  const Value& shapes = doc["shapes"];
  for (auto it = shapes.MemberBegin(); it != shapes.MemberEnd(); ++it) {
    auto s = std::make_unique<Shape>();
    s->name = it->name.GetString();
    m->shapes_.emplace(s->name, std::move(s));
  }
  auto ref = [&](const Value& v) -> const Shape* {
    std::string name = str(v, "shape");
    auto found = m->shapes_.find(name);
    if (found == m->shapes_.end()) throw std::runtime_error("model references unknown shape " + name);
    return found->second.get();
  };
  for (auto it = shapes.MemberBegin(); it != shapes.MemberEnd(); ++it) {
    Shape& s = *m->shapes_.at(it->name.GetString());
    const Value& v = it->value;
    s.type = type_of(str(v, "type"));
    s.document = v.HasMember("document") && v["document"].IsTrue();
    s.exception = v.HasMember("exception") && v["exception"].IsTrue();
    if (v.HasMember("error") && v["error"].HasMember("httpStatusCode"))
      s.http_status = v["error"]["httpStatusCode"].GetInt();
    if (v.HasMember("error")) s.error_code = str(v["error"], "code");
    s.flattened = v.HasMember("flattened") && v["flattened"].IsTrue();
    s.timestamp_format = str(v, "timestampFormat");
    if (v.HasMember("fault") && v["fault"].IsTrue()) s.http_status = 500;
    if (v.HasMember("min")) s.min = v["min"].GetDouble();
    if (v.HasMember("max")) s.max = v["max"].GetDouble();
    if (v.HasMember("enum"))
      for (const auto& e : v["enum"].GetArray()) s.enum_values.emplace_back(e.GetString());
    s.pattern = str(v, "pattern");
    if (!s.pattern.empty()) {
      try {
        std::string p = ascii_pattern(s.pattern, s.regex_ascii_only);
        if (p.find("\\p{") == std::string::npos)
          s.regex = std::make_shared<const std::regex>(p, std::regex::ECMAScript | std::regex::optimize);
      } catch (const std::regex_error&) {
        s.regex = nullptr;  // e.g. \p{...} classes; the constraint is then not checked
      }
    }
    if (v.HasMember("members")) {
      const Value& members = v["members"];
      for (auto mi = members.MemberBegin(); mi != members.MemberEnd(); ++mi) {
        const Value& mv = mi->value;
        s.members.push_back({mi->name.GetString(), ref(mv), false, str(mv, "locationName"),
                             mv.HasMember("flattened") && mv["flattened"].IsTrue()});
      }
      if (v.HasMember("required"))
        for (const auto& r : v["required"].GetArray())
          for (auto& mem : s.members)
            if (mem.name == r.GetString()) mem.required = true;
    }
    if (v.HasMember("member")) s.member = ref(v["member"]);
    if (v.HasMember("key")) s.key = ref(v["key"]);
    if (v.HasMember("value")) s.value = ref(v["value"]);
    // XML element names of list members and map entries ride on the reference; keep them on
    // the containing shape.
    if (v.HasMember("member")) s.member_name = str(v["member"], "locationName");
    if (v.HasMember("key")) s.key_name = str(v["key"], "locationName");
    if (v.HasMember("value")) s.value_name = str(v["value"], "locationName");
  }

  const Value& ops = doc["operations"];
  for (auto it = ops.MemberBegin(); it != ops.MemberEnd(); ++it) {
    Operation op;
    op.name = it->name.GetString();
    const Value& v = it->value;
    if (v.HasMember("input")) op.input = ref(v["input"]);
    if (v.HasMember("output")) op.output = ref(v["output"]);
    if (v.HasMember("errors"))
      for (const auto& e : v["errors"].GetArray()) op.errors.push_back(str(e, "shape"));
    if (v.HasMember("output")) op.result_wrapper = str(v["output"], "resultWrapper");
    m->operations_.emplace(op.name, std::move(op));
  }
  if (doc.HasMember("paginators")) {
    const Value& pag = doc["paginators"];
    for (auto it = pag.MemberBegin(); it != pag.MemberEnd(); ++it) {
      auto op = m->operations_.find(std::string_view(it->name.GetString()));
      if (op == m->operations_.end() || !it->value["input_token"].IsString()) continue;
      op->second.paginator = Paginator{str(it->value, "input_token"), str(it->value, "output_token"),
                                       str(it->value, "limit_key")};
    }
  }
  return m;
}

std::unique_ptr<ServiceModel> ServiceModel::embedded(std::string_view service) {
  for (const auto* e = models::kEmbedded; !e->first.empty(); ++e)
    if (e->first == service) return parse(service, e->second);
  throw std::runtime_error("no embedded model for " + std::string(service));
}

bool ServiceModel::speaks(std::string_view protocol) const {
  for (const auto& p : protocols_)
    if (p == protocol) return true;
  return false;
}

const Shape* ServiceModel::error_shape(std::string_view code) const {
  if (const Shape* s = shape(code); s && s->exception) return s;
  for (const auto& [name, s] : shapes_)
    if (s->exception && s->error_code == code) return s.get();
  return nullptr;
}

const Operation* ServiceModel::operation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

const Shape* ServiceModel::shape(std::string_view name) const {
  auto it = shapes_.find(std::string(name));
  return it == shapes_.end() ? nullptr : it->second.get();
}

}  // namespace berth::api
