#include "common/json.h"

namespace berth::json {

const Value* member(const Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::optional<std::string_view> get_string(const Value& obj, const char* name) {
  const Value* v = member(obj, name);
  if (!v || !v->IsString()) return std::nullopt;
  return view(*v);
}

std::optional<std::int64_t> get_int(const Value& obj, const char* name) {
  const Value* v = member(obj, name);
  if (!v || !v->IsInt64()) return std::nullopt;
  return v->GetInt64();
}

std::optional<bool> get_bool(const Value& obj, const char* name) {
  const Value* v = member(obj, name);
  if (!v || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

std::string_view view(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

std::string dump(const Value& v) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace berth::json
