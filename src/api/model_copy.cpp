#include "api/model_copy.h"

namespace berth::api {

rapidjson::Value modeled_copy(const Shape& shape, const json::Value& v, Allocator& a) {
  if (shape.document) return rapidjson::Value(v, a);
  switch (shape.type) {
    case Shape::Type::Structure: {
      rapidjson::Value out(rapidjson::kObjectType);
      if (!v.IsObject()) return out;
      for (const Member& m : shape.members) {
        auto it = v.FindMember(m.name.c_str());
        if (it == v.MemberEnd() || it->value.IsNull()) continue;
        out.AddMember(rapidjson::Value(m.name.c_str(), a), modeled_copy(*m.shape, it->value, a), a);
      }
      return out;
    }
    case Shape::Type::List: {
      rapidjson::Value out(rapidjson::kArrayType);
      if (!v.IsArray()) return out;
      for (const auto& e : v.GetArray())
        if (!e.IsNull()) out.PushBack(modeled_copy(*shape.member, e, a), a);
      return out;
    }
    case Shape::Type::Map: {
      rapidjson::Value out(rapidjson::kObjectType);
      if (!v.IsObject()) return out;
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it)
        if (!it->value.IsNull())
          out.AddMember(rapidjson::Value(it->name, a), modeled_copy(*shape.value, it->value, a), a);
      return out;
    }
    default:
      return rapidjson::Value(v, a);
  }
}

}  // namespace berth::api
