#include "api/cloudwatch/shapes.h"

#include <cmath>

#include "metrics/series_reader.h"

namespace berth::api::cloudwatch {

DimensionList dimensions_of(const json::Value& in, const char* member) {
  DimensionList out;
  if (const auto* list = json::member(in, member); list && list->IsArray())
    for (const auto& d : list->GetArray())
      out.emplace_back(std::string(json::get_string(d, "Name").value_or("")),
                       std::string(json::get_string(d, "Value").value_or("")));
  return out;
}

std::string canonical(const DimensionList& dims) { return metrics::canonical_dimensions(dims); }

std::optional<std::int64_t> millis_of(const json::Value& in, const char* member) {
  const auto* v = json::member(in, member);
  if (!v || !v->IsNumber()) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(v->GetDouble() * 1000.0));
}

void write_dimensions(json::Writer& w, const std::string& text) {
  w.Key("Dimensions");
  json::raw(w, text.empty() ? "[]" : text);
}

void write_metric(json::Writer& w, const std::string& ns, const std::string& name, const std::string& dims) {
  w.StartObject();
  json::kv(w, "Namespace", ns);
  json::kv(w, "MetricName", name);
  write_dimensions(w, dims);
  w.EndObject();
}

void number(json::Writer& w, double v) { w.Double(v); }

}  // namespace berth::api::cloudwatch
