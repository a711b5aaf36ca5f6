#pragma once
// What an SDK does on its side of each protocol, for tests: a JSON input as a query form or a
// CBOR body (like botocore's serializers), and an XML reply back to JSON by the output shape
// (like botocore's QueryParser). Small on purpose: it reads what berth writes.
#include <cctype>
#include <string>
#include <vector>

#include "api/service_model.h"
#include "common/cbor.h"
#include "common/json.h"

namespace berth::test {

inline std::string form_escape(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// botocore's QuerySerializer: `Name.member.N`, `Name.entry.N.key`, `Name=` for an empty list.
inline void to_form(const api::Shape& s, const json::Value& v, const std::string& prefix,
                    std::vector<std::pair<std::string, std::string>>& out) {
  using T = api::Shape::Type;
  switch (s.type) {
    case T::Structure:
      for (const auto& m : s.members) {
        auto it = v.FindMember(m.name.c_str());
        if (it == v.MemberEnd()) continue;
        std::string key = m.wire_name();
        to_form(*m.shape, it->value, prefix.empty() ? key : prefix + "." + key, out);
      }
      return;
    case T::List: {
      if (v.Empty()) {
        out.emplace_back(prefix, "");
        return;
      }
      int i = 0;
      for (const auto& e : v.GetArray())
        to_form(*s.member, e, (s.flattened ? prefix : prefix + "." + (s.member_name.empty() ? "member" : s.member_name)) +
                                  "." + std::to_string(++i), out);
      return;
    }
    case T::Map: {
      int i = 0;
      for (auto e = v.MemberBegin(); e != v.MemberEnd(); ++e) {
        std::string p = (s.flattened ? prefix : prefix + ".entry") + "." + std::to_string(++i);
        out.emplace_back(p + ".key", json::view(e->name));
        to_form(*s.value, e->value, p + ".value", out);
      }
      return;
    }
    default:
      if (v.IsString()) out.emplace_back(prefix, json::view(v));
      else if (v.IsBool()) out.emplace_back(prefix, v.GetBool() ? "true" : "false");
      else out.emplace_back(prefix, json::dump(v));
  }
}

inline std::string form_body(const std::string& action, const std::string& version, const api::Shape* input,
                             const json::Value& v) {
  std::vector<std::pair<std::string, std::string>> pairs{{"Action", action}, {"Version", version}};
  if (input) to_form(*input, v, "", pairs);
  std::string body;
  for (auto& [k, val] : pairs) body += (body.empty() ? "" : "&") + form_escape(k) + "=" + form_escape(val);
  return body;
}

// Generic JSON → CBOR (numbers, strings, arrays, maps), as a client would send a document.
inline void to_cbor(cbor::Writer& w, const json::Value& v) {
  if (v.IsNull()) return w.null();
  if (v.IsBool()) return w.boolean(v.GetBool());
  if (v.IsUint64()) return w.unsigned_int(v.GetUint64());
  if (v.IsInt64()) return w.integer(v.GetInt64());
  if (v.IsNumber()) return w.float64(v.GetDouble());
  if (v.IsString()) return w.text(json::view(v));
  if (v.IsArray()) {
    w.array(v.Size());
    for (const auto& e : v.GetArray()) to_cbor(w, e);
    return;
  }
  w.map(v.MemberCount());
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    w.text(json::view(m->name));
    to_cbor(w, m->value);
  }
}

// A small XML reader for berth's own replies: elements, text, the five entities and numeric
// references; the root's attributes are skipped.
struct XmlNode {
  std::string name, text;
  std::vector<XmlNode> children;
  const XmlNode* child(std::string_view n) const {
    for (const auto& c : children)
      if (c.name == n) return &c;
    return nullptr;
  }
};

inline std::string xml_unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    auto semi = s.find(';', i);
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent.starts_with("#x")) out += static_cast<char>(std::stoi(std::string(ent.substr(2)), nullptr, 16));
    else if (ent.starts_with("#")) out += static_cast<char>(std::stoi(std::string(ent.substr(1))));
    i = semi;
  }
  return out;
}

inline XmlNode parse_xml(std::string_view s, std::size_t& pos) {
  XmlNode n;
  auto close = s.find('>', pos);
  std::string_view head = s.substr(pos + 1, close - pos - 1);
  n.name = std::string(head.substr(0, head.find(' ')));
  pos = close + 1;
  std::string text;
  while (pos < s.size()) {
    auto lt = s.find('<', pos);
    text += s.substr(pos, lt - pos);
    pos = lt;
    if (s.substr(pos, 2) == "</") {
      pos = s.find('>', pos) + 1;
      break;
    }
    n.children.push_back(parse_xml(s, pos));
  }
  n.text = xml_unescape(text);
  return n;
}

inline XmlNode parse_xml(std::string_view s) {
  std::size_t pos = s.find('<');
  if (s.substr(pos, 2) == "<?") pos = s.find('<', pos + 1);
  return parse_xml(s, pos);
}

// botocore's QueryParser in short: an XML element as the JSON value of `s`.
inline void xml_to_json(const api::Shape& s, const XmlNode& n, json::Value& out, rapidjson::Document::AllocatorType& a);

inline void xml_members(const api::Shape& s, const XmlNode& n, json::Value& out, rapidjson::Document::AllocatorType& a) {
  using T = api::Shape::Type;
  out.SetObject();
  for (const auto& m : s.members) {
    bool flat = m.flattened || m.shape->flattened;
    std::string name = flat && m.shape->type == T::List && !m.shape->member_name.empty() ? m.shape->member_name
                                                                                        : m.wire_name();
    json::Value v;
    if (flat && m.shape->type == T::List) {
      v.SetArray();
      for (const auto& c : n.children)
        if (c.name == name) {
          json::Value e;
          xml_to_json(*m.shape->member, c, e, a);
          v.PushBack(e, a);
        }
      if (v.Empty()) continue;
    } else {
      const XmlNode* c = n.child(name);
      if (!c) continue;
      xml_to_json(*m.shape, *c, v, a);
    }
    out.AddMember(json::Value(m.name.c_str(), a), v, a);
  }
}

inline void xml_to_json(const api::Shape& s, const XmlNode& n, json::Value& out, rapidjson::Document::AllocatorType& a) {
  using T = api::Shape::Type;
  switch (s.type) {
    case T::Structure: return xml_members(s, n, out, a);
    case T::List:
      out.SetArray();
      for (const auto& c : n.children) {
        json::Value e;
        xml_to_json(*s.member, c, e, a);
        out.PushBack(e, a);
      }
      return;
    case T::Map:
      out.SetObject();
      for (const auto& entry : n.children) {
        const XmlNode* k = entry.child(s.key_name.empty() ? "key" : s.key_name);
        const XmlNode* v = entry.child(s.value_name.empty() ? "value" : s.value_name);
        if (!k || !v) continue;
        json::Value val;
        xml_to_json(*s.value, *v, val, a);
        out.AddMember(json::Value(k->text.c_str(), a), val, a);
      }
      return;
    case T::Boolean: out.SetBool(n.text == "true"); return;
    case T::Integer:
    case T::Long: out.SetInt64(std::stoll(n.text)); return;
    case T::Float:
    case T::Double: out.SetDouble(std::stod(n.text)); return;
    default: out.SetString(n.text.c_str(), static_cast<rapidjson::SizeType>(n.text.size()), a);
  }
}

}  // namespace berth::test
