#pragma once
// Logs Insights values and the fields of one log event as a query sees them.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::logs::insights {

struct Value {
  enum class Kind { Null, Number, String, Time, Bool };
  Kind kind = Kind::Null;
  double num = 0;  // Number, Time (epoch millis), Bool (0 or 1)
  std::string str;

  static Value number(double n) { return {Kind::Number, n, {}}; }
  static Value string(std::string s) { return {Kind::String, 0, std::move(s)}; }
  static Value time(std::int64_t millis) { return {Kind::Time, static_cast<double>(millis), {}}; }
  static Value boolean(bool b) { return {Kind::Bool, b ? 1.0 : 0.0, {}}; }
  bool null() const { return kind == Kind::Null; }
};

// A value as GetQueryResults shows it: numbers without a needless fraction, times as
// "2026-11-30 02:59:06.000" (UTC), booleans as true/false.
std::string display(const Value& v);
// The value as a number when it is one or a string holding one (times: epoch millis).
bool as_number(const Value& v, double& out);
bool truthy(const Value& v);
// -1, 0, 1: numbers (and numeric strings) by value, else by text. Nulls sort after everything.
int compare(const Value& a, const Value& b);

// One log event fed to a query. The views must stay valid while the event is fed; the query
// copies what it keeps.
struct Event {
  std::int64_t timestamp = 0, ingestion_time = 0;
  std::string_view message, log_stream, log;  // log: "ACCOUNT:GROUP", as Insights shows @log
  std::int64_t group_id = 0, seq = 0;          // where it is stored: @ptr
};

// The opaque @ptr of an event and its inverse (GetLogRecord).
std::string pointer(std::int64_t group_id, std::int64_t timestamp, std::int64_t seq);
bool parse_pointer(std::string_view ptr, std::int64_t& group_id, std::int64_t& timestamp, std::int64_t& seq);

// The fields of a JSON message flattened as Insights discovers them: nested objects give dotted
// names (`user.id`), arrays an index (`items.0`). Empty unless the message is a JSON object.
std::vector<std::pair<std::string, Value>> json_fields(std::string_view message);

}  // namespace berth::logs::insights
