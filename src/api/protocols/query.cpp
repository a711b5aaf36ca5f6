// The query protocol (IAM, STS, ELBv2, CloudWatch's old clients): a form in
// (`Action=GetRole&Version=2010-05-08&RoleName=x`, nested names like `Tags.member.1.Key` and
// `Attributes.entry.1.value`), XML out, errors in <ErrorResponse>.
#include "api/protocols/query.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <map>

#include "api/protocols/protocol.h"
#include "api/protocols/timestamps.h"

namespace berth::api::protocols {
namespace {
using Type = Shape::Type;
using rapidjson::Value;

// Form names deeper than this are refused: no model nests that far, and the walk recurses.
constexpr int kMaxNameDepth = 64;

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 &&
               hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The form as a tree of its dotted names: `A.member.1.B=x` is A → member → 1 → B = "x".
struct Node {
  std::string value;
  bool has_value = false;
  std::map<std::string, Node, std::less<>> children;
};

struct Bad {
  AwsError error;
};

AwsError invalid(const std::string& message) { return AwsError::client("ValidationError", message); }

// The numbered children of a list or map container, in index order.
std::vector<const Node*> numbered(const Node& n) {
  std::vector<std::pair<std::uint64_t, const Node*>> items;
  for (const auto& [k, child] : n.children) {
    std::uint64_t i = 0;
    auto [p, ec] = std::from_chars(k.data(), k.data() + k.size(), i);
    if (ec == std::errc() && p == k.data() + k.size() && i > 0) items.emplace_back(i, &child);
  }
  std::sort(items.begin(), items.end(), [](auto& a, auto& b) { return a.first < b.first; });
  std::vector<const Node*> out;
  for (auto& [i, c] : items) out.push_back(c);
  return out;
}

const Node* child(const Node& n, std::string_view name) {
  auto it = n.children.find(name);
  return it == n.children.end() ? nullptr : &it->second;
}

class Decoder {
 public:
  explicit Decoder(rapidjson::Document::AllocatorType& a) : a_(a) {}

  // Fills `out` from `n` as `s`; false when the form holds nothing for it.
  bool read(const Shape& s, const Node& n, bool flattened, const std::string& path, Value& out) {
    switch (s.type) {
      case Type::Structure: {
        out.SetObject();
        for (const Member& m : s.members) {
          bool flat = m.flattened || m.shape->flattened;
          std::string key = m.wire_name();
          if (flat && m.shape->type == Type::List && !m.shape->member_name.empty()) key = m.shape->member_name;
          const Node* c = child(n, key);
          if (!c) continue;
          Value v;
          if (read(*m.shape, *c, flat, path.empty() ? key : path + "." + key, v))
            out.AddMember(Value(m.name.c_str(), a_), v, a_);
        }
        return true;
      }
      case Type::List: {
        out.SetArray();
        const Node* items = flattened ? &n : child(n, s.member_name.empty() ? "member" : s.member_name);
        if (!items) return n.has_value;  // `Name=` is how a client sends an empty list
        for (const Node* item : numbered(*items)) {
          Value v;
          if (read(*s.member, *item, false, path, v)) out.PushBack(v, a_);
        }
        return true;
      }
      case Type::Map: {
        out.SetObject();
        const Node* entries = flattened ? &n : child(n, "entry");
        if (!entries) return n.has_value;
        for (const Node* e : numbered(*entries)) {
          const Node* k = child(*e, s.key_name.empty() ? "key" : s.key_name);
          const Node* v = child(*e, s.value_name.empty() ? "value" : s.value_name);
          if (!k || !k->has_value) continue;
          Value val;
          if (!v || !read(*s.value, *v, false, path, val)) val.SetNull();
          out.AddMember(Value(k->value.c_str(), a_), val, a_);
        }
        return true;
      }
      default:
        if (!n.has_value) return false;
        scalar(s, n.value, path, out);
        return true;
    }
  }

 private:
  void scalar(const Shape& s, const std::string& text, const std::string& path, Value& out) {
    auto bad = [&](const char* what) {
      throw Bad{invalid("Value '" + text.substr(0, 256) + "' at '" + path + "' failed to satisfy constraint: Member must be " +
                        what)};
    };
    switch (s.type) {
      case Type::Boolean:
        if (text == "true" || text == "True" || text == "TRUE") out.SetBool(true);
        else if (text == "false" || text == "False" || text == "FALSE") out.SetBool(false);
        else bad("a boolean");
        return;
      case Type::Integer:
      case Type::Long: {
        std::int64_t v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || p != text.data() + text.size()) bad("an integer");
        if (s.type == Type::Integer && (v < INT32_MIN || v > INT32_MAX)) bad("an integer");  // NOLINT
        if (s.type == Type::Integer) out.SetInt(static_cast<int>(v));
        else out.SetInt64(v);
        return;
      }
      case Type::Float:
      case Type::Double: {
        double d = 0;
        if (text == "NaN") d = NAN;
        else if (text == "Infinity") d = INFINITY;
        else if (text == "-Infinity") d = -INFINITY;
        else {
          auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
          if (ec != std::errc() || p != text.data() + text.size()) bad("a number");
        }
        out.SetDouble(d);
        return;
      }
      case Type::Timestamp: {
        // ISO 8601 as clients send it, or epoch seconds; handlers take epoch seconds.
        double secs = 0;
        if (auto t = parse_iso8601(text)) secs = *t;
        else {
          auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
          if (ec != std::errc() || p != text.data() + text.size()) bad("a timestamp");
        }
        if (secs == std::floor(secs) && std::fabs(secs) < 1e15) out.SetInt64(static_cast<std::int64_t>(secs));
        else out.SetDouble(secs);
        return;
      }
      default:  // strings, and blobs, which travel base64 in the form as in JSON
        out.SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), a_);
        return;
    }
  }

  rapidjson::Document::AllocatorType& a_;
};

// XML text: the five entities, CR kept through parsers' newline folding, and characters XML
// 1.0 cannot hold at all replaced by U+FFFD.
void escape(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += "\xEF\xBF\xBD";
        else out.push_back(c);
    }
  }
}

void open(std::string& out, std::string_view name) {
  out += '<';
  out += name;
  out += '>';
}
void close(std::string& out, std::string_view name) {
  out += "</";
  out += name;
  out += '>';
}

std::string number_text(const Value& v) {
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  double d = v.GetDouble();
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, p);
}

class Encoder {
 public:
  std::string out;

  void members(const Shape& s, const Value& obj) {
    if (!obj.IsObject()) return;
    for (const Member& m : s.members) {
      auto it = obj.FindMember(m.name.c_str());
      if (it == obj.MemberEnd() || it->value.IsNull()) continue;
      const Shape& ms = *m.shape;
      bool flat = m.flattened || ms.flattened;
      if (flat && ms.type == Type::List && it->value.IsArray()) {
        const std::string& name = ms.member_name.empty() ? m.wire_name() : ms.member_name;
        for (const auto& e : it->value.GetArray()) element(*ms.member, e, name);
      } else if (flat && ms.type == Type::Map && it->value.IsObject()) {
        for (auto e = it->value.MemberBegin(); e != it->value.MemberEnd(); ++e) entry(ms, *e, m.wire_name());
      } else {
        element(ms, it->value, m.wire_name());
      }
    }
  }

  void element(const Shape& s, const Value& v, std::string_view name) {
    open(out, name);
    content(s, v);
    close(out, name);
  }

 private:
  void entry(const Shape& map, const Value::Member& e, std::string_view name) {
    open(out, name);
    const std::string& k = map.key_name.empty() ? std::string("key") : map.key_name;
    open(out, k);
    escape(out, json::view(e.name));
    close(out, k);
    element(*map.value, e.value, map.value_name.empty() ? std::string_view("value") : map.value_name);
    close(out, name);
  }

  void content(const Shape& s, const Value& v) {
    if (s.document) return escape(out, json::dump(v));
    switch (s.type) {
      case Type::Structure: return members(s, v);
      case Type::List:
        if (v.IsArray())
          for (const auto& e : v.GetArray())
            element(*s.member, e, s.member_name.empty() ? std::string_view("member") : s.member_name);
        return;
      case Type::Map:
        if (v.IsObject())
          for (auto e = v.MemberBegin(); e != v.MemberEnd(); ++e) entry(s, *e, "entry");
        return;
      case Type::Timestamp:
        if (v.IsNumber())
          return escape(out, s.timestamp_format == "unixTimestamp" ? number_text(v)
                             : s.timestamp_format == "rfc822"      ? rfc822(v.GetDouble())
                                                                   : iso8601(v.GetDouble()));
        break;
      default: break;
    }
    if (v.IsString()) return escape(out, json::view(v));
    if (v.IsBool()) return escape(out, v.GetBool() ? "true" : "false");
    if (v.IsNumber()) return escape(out, number_text(v));
    escape(out, json::dump(v));
  }
};

class Query final : public Protocol {
 public:
  std::string_view name() const override { return "query"; }

  std::optional<AwsError> decode(const Operation& op, std::string_view form, rapidjson::Document& doc) const override {
    Node root;
    for (auto& [key, value] : parse_form(form)) {
      Node* n = &root;
      std::string_view rest = key;
      int depth = 0;
      while (true) {
        if (++depth > kMaxNameDepth)
          return AwsError::client("MalformedQueryString", "The parameter name " + key.substr(0, 256) + " nests too deeply");
        auto dot = rest.find('.');
        n = &n->children[std::string(rest.substr(0, dot))];
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
      }
      if (!n->has_value) {  // the first of repeated names wins
        n->value = std::move(value);
        n->has_value = true;
      }
    }
    doc.SetObject();
    if (!op.input) return std::nullopt;
    try {
      Decoder d(doc.GetAllocator());
      d.read(*op.input, root, false, "", doc);
    } catch (const Bad& b) {
      return b.error;
    }
    return std::nullopt;
  }

  HttpResponse success(const ServiceModel& model, const Operation& op, std::string json_text,
                       std::string_view request_id) const override {
    Encoder e;
    std::string root = op.name + "Response";
    e.out.reserve(json_text.size() * 2 + 256);
    e.out += "<" + root + " xmlns=\"";
    escape(e.out, model.xml_namespace());
    e.out += "\">";
    if (op.output) {
      rapidjson::Document doc;
      doc.Parse<rapidjson::kParseIterativeFlag>(json_text.data(), json_text.size());
      if (!op.result_wrapper.empty()) open(e.out, op.result_wrapper);
      if (!doc.HasParseError()) e.members(*op.output, doc);
      if (!op.result_wrapper.empty()) close(e.out, op.result_wrapper);
    }
    e.out += "<ResponseMetadata><RequestId>";
    escape(e.out, request_id);
    e.out += "</RequestId></ResponseMetadata>";
    close(e.out, root);
    return xml(200, std::move(e.out), request_id);
  }

  HttpResponse error(const ServiceModel* model, const AwsError& err, std::string_view request_id) const override {
    std::string out = "<ErrorResponse xmlns=\"";
    if (model) escape(out, model->xml_namespace());
    out += "\"><Error><Type>";
    out += err.sender_fault() ? "Sender" : "Receiver";
    out += "</Type><Code>";
    escape(out, query_code(model, err));
    out += "</Code><Message>";
    escape(out, err.message);
    out += "</Message></Error><RequestId>";
    escape(out, request_id);
    out += "</RequestId></ErrorResponse>";
    return xml(err.http_status, std::move(out), request_id);
  }

 private:
  static HttpResponse xml(int status, std::string body, std::string_view request_id) {
    HttpResponse r;
    r.status = status;
    r.content_type = "text/xml";
    r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
    r.body = std::move(body);
    return r;
  }
};
}  // namespace

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view form) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!form.empty()) {
    auto amp = form.find('&');
    std::string_view pair = form.substr(0, amp);
    form = amp == std::string_view::npos ? std::string_view() : form.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    out.emplace_back(url_decode(pair.substr(0, eq)),
                     eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1)));
  }
  return out;
}

std::string form_value(std::string_view form, std::string_view name, bool* found) {
  if (found) *found = false;
  for (auto& [k, v] : parse_form(form))
    if (k == name) {
      if (found) *found = true;
      return v;
    }
  return {};
}

const Protocol& query() {
  static const Query p;
  return p;
}

}  // namespace berth::api::protocols
