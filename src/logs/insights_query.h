#pragma once
// CloudWatch Logs Insights queries: the language parsed to an AST, nothing evaluated here.
//
//   fields @timestamp, @message, latency * 2 as doubled
//   | parse @message "user=* action=*" as user, action      (glob; or /(?<name>re)/)
//   | filter level = "ERROR" and (latency > 100 or @message like /timeout/) and ispresent(user)
//   | stats count(*) as n, avg(latency), pct(latency, 95) by user, bin(5m)
//   | sort n desc | limit 20
//
// Also: display, dedup, `in [..]`, `not`, `=~`, string and arithmetic functions. Commands are
// separated by `|`; keywords are case-insensitive, field names are not. Field names may hold
// `@`, `.` (JSON fields are flattened to dotted names) or be `backquoted`.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::logs::insights {

struct Expr {
  enum class Kind {
    Number,     // num
    String,     // text
    Regex,      // text: the pattern, named groups already turned into plain groups
    Field,      // text: the field name
    Negate,     // args[0]
    Not,        // args[0]
    Binary,     // op, args[0], args[1]: + - * / % = != < <= > >= and or
    Like,       // args[0] like args[1] (a string: substring; a regex: search)
    In,         // args[0] in [args[1..]]
    Call,       // text: function name (lower case), args; agg_slot >= 0 for an aggregate in stats
    Star,       // the `*` of count(*)
  };
  Kind kind = Kind::Number;
  double num = 0;
  std::string text;
  std::string op;
  bool case_insensitive = false;  // a regex written /.../i
  std::vector<std::unique_ptr<Expr>> args;
  int agg_slot = -1;
  std::string source;  // the text it was written as: the default name of a column
};

// One `expr [as name]` of fields, stats and stats' `by`.
struct Projection {
  std::unique_ptr<Expr> expr;
  std::string name;
};

struct SortKey {
  std::unique_ptr<Expr> expr;
  bool descending = true;  // Insights sorts descending unless told `asc`
};

struct Command {
  enum class Kind { Fields, Display, Filter, Parse, Stats, Sort, Limit, Dedup };
  Kind kind = Kind::Fields;
  std::vector<Projection> items;  // fields, display (names), stats (aggregates)
  std::vector<Projection> by;     // stats
  std::unique_ptr<Expr> condition;  // filter
  // parse: the field read, then a glob ("a=* b=*" with `as` names) or a regex whose named
  // groups are the names.
  std::unique_ptr<Expr> source;
  std::string pattern;
  bool regex = false;
  bool case_insensitive = false;
  std::vector<std::string> names;
  std::vector<int> group_index;  // parse regex: the capture number of each name
  std::vector<SortKey> sort;
  std::int64_t limit = 0;
  // stats: the aggregate calls of `items`, by slot.
  std::vector<const Expr*> aggregates;
};

struct Query {
  std::vector<Command> commands;
};

struct ParseError {
  std::string message;  // "unexpected symbol found X at line L and position P", as AWS words it
  std::size_t start = 0, end = 0;  // character offsets of the offending token
};

// Parses a query; on failure `error` says where.
std::optional<Query> parse(std::string_view text, ParseError& error);

// The named groups of a regex, in order, with the pattern rewritten for std::regex (which has no
// named groups): `(?<user>\w+)` becomes `(\w+)`. index[i] is the capture number of names[i].
struct NamedGroups {
  std::string pattern;
  std::vector<std::string> names;
  std::vector<int> index;
};
NamedGroups named_groups(std::string_view regex);

// A bin() period such as 5m, 1h, 30s, 2d, 100ms, in milliseconds; nullopt if not one.
std::optional<std::int64_t> period_millis(std::string_view text);

}  // namespace berth::logs::insights
