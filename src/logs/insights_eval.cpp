#include "logs/insights_eval.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <regex>
#include <unordered_map>
#include <unordered_set>

namespace berth::logs::insights {
namespace {

// One row flowing through the commands: an event (with the fields parse, fields and JSON
// discovery gave it) or a row stats made.
struct Row {
  bool is_event = true;
  std::int64_t ts = 0, ingested = 0, group_id = 0, seq = 0;
  std::string_view message_view, stream, log;
  std::string message_owned, stream_owned, log_owned;
  bool owned = false;
  bool json_done = false;
  std::vector<std::pair<std::string, Value>> fields;

  std::string_view message() const { return owned ? std::string_view(message_owned) : message_view; }
  std::string_view log_stream() const { return owned ? std::string_view(stream_owned) : stream; }
  std::string_view log_name() const { return owned ? std::string_view(log_owned) : log; }
  // Copies the event's text before the row outlives the event it came from.
  void keep() {
    if (owned) return;
    message_owned = std::string(message_view);
    stream_owned = std::string(stream);
    log_owned = std::string(log);
    owned = true;
  }
  void set(const std::string& name, Value v) {
    for (auto& [n, value] : fields)
      if (n == name) {
        value = std::move(v);
        return;
      }
    fields.emplace_back(name, std::move(v));
  }
};

// The running state of one aggregate call for one stats group.
struct Accumulator {
  double count = 0, sum = 0, sum_squares = 0;
  bool any = false, all_times = true;
  Value best;  // min / max / earliest / latest
  std::int64_t best_ts = 0;
  std::vector<double> values;  // pct
  std::unordered_set<std::string> distinct;
};

struct Group {
  std::vector<Value> keys;
  std::vector<Accumulator> accs;
};

// A regex (or, when it has no special character, a plain substring) compiled once.
struct Matcher {
  std::optional<std::regex> re;
  std::string literal;
  bool search(std::string_view s) const {
    if (!re) return s.find(literal) != std::string_view::npos;
    return std::regex_search(s.begin(), s.end(), *re);
  }
};

bool plain(std::string_view pattern) { return pattern.find_first_of("\\^$.|?*+()[]{}") == std::string_view::npos; }

Matcher compile(std::string_view pattern, bool case_insensitive) {
  Matcher m;
  if (plain(pattern) && !case_insensitive) {
    m.literal = std::string(pattern);
  } else {
    auto flags = std::regex::ECMAScript | std::regex::optimize;
    if (case_insensitive) flags |= std::regex::icase;
    m.re.emplace(std::string(pattern), flags);
  }
  return m;
}

// A glob of parse: literal pieces around the `*`s.
std::vector<std::string> glob_pieces(std::string_view glob) {
  std::vector<std::string> pieces(1);
  for (char c : glob) {
    if (c == '*') pieces.emplace_back();
    else pieces.back() += c;
  }
  return pieces;
}

// Matches a glob anywhere in `s`: each `*` takes the shortest text before the next piece, the
// last one (when the glob ends with it) the rest of the line.
bool match_glob(const std::vector<std::string>& pieces, std::string_view s, std::vector<std::string>& out) {
  std::size_t at = s.find(pieces[0]);
  if (at == std::string_view::npos) return false;
  at += pieces[0].size();
  out.clear();
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    if (pieces[i].empty() && i + 1 == pieces.size()) {
      out.emplace_back(s.substr(at));
      return true;
    }
    std::size_t next = s.find(pieces[i], at);
    if (next == std::string_view::npos) return false;
    out.emplace_back(s.substr(at, next - at));
    at = next + pieces[i].size();
  }
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_barrier(const Command& c) { return c.kind == Command::Kind::Stats || c.kind == Command::Kind::Sort; }

// A row held by a bounded sort with its sort keys, evaluated once, and its arrival order,
// which breaks ties as a stable sort would.
struct Sorted {
  std::vector<Value> keys;
  std::uint64_t arrival = 0;
  Row row;
};

// Whether a sorts before b under the sort command's keys; values without one go last either way.
bool sorts_before(const Command& c, const std::vector<Value>& a, const std::vector<Value>& b) {
  for (std::size_t k = 0; k < c.sort.size(); ++k) {
    if (a[k].null() != b[k].null()) return b[k].null();
    int cmp = compare(a[k], b[k]);
    if (cmp != 0) return c.sort[k].descending ? cmp > 0 : cmp < 0;
  }
  return false;
}

// How many of a sort's rows can reach the result: the first limit after it when only commands
// that keep every row (fields, display, parse) stand between, and at most max_rows when
// nothing after it drops or regroups rows. nullopt: all of them.
std::optional<std::size_t> rows_kept_after_sort(const Query& q, std::size_t sort_index, std::size_t max_rows) {
  for (std::size_t i = sort_index + 1; i < q.commands.size(); ++i) {
    switch (q.commands[i].kind) {
      case Command::Kind::Fields:
      case Command::Kind::Display:
      case Command::Kind::Parse:
        continue;
      case Command::Kind::Limit:
        return std::min<std::size_t>(static_cast<std::size_t>(q.commands[i].limit), max_rows);
      default:
        return std::nullopt;
    }
  }
  return max_rows;
}

}  // namespace

struct Evaluator::Impl {
  const Query& q;
  std::size_t max_rows;
  std::unordered_map<const Expr*, Matcher> matchers;
  struct State {
    Matcher parse_re;
    std::vector<std::string> glob;
    std::unordered_map<std::string, std::size_t> group_index;
    std::vector<Group> groups;
    std::vector<Row> buffer;
    // A sort whose later commands only keep its first rows (a limit, or the output cap)
    // keeps those rows alone: `top` is a heap whose front is the row that sorts last, so a
    // row that sorts after it is dropped without copying its message.
    std::optional<std::size_t> keep_top;
    std::vector<Sorted> top;
    std::uint64_t arrivals = 0;
    std::int64_t seen = 0;
    std::unordered_set<std::string> dedup;
  };
  std::vector<State> states;
  std::vector<Row> output;
  std::vector<std::string> columns;
  bool aggregated = false;
  bool sorted = false;
  std::size_t matched_at = 0;   // the command index at which an event counts as matched
  std::optional<std::size_t> stop_limit;  // a limit only streaming commands precede
  // A bounded `sort @timestamp desc` that only streaming commands precede: events come newest
  // first, so once its heap is full no later event can enter it and the scan may stop.
  std::optional<std::size_t> stop_sort;
  Result result;

  Impl(const Query& query, std::size_t max) : q(query), max_rows(max), states(query.commands.size()) {
    matched_at = q.commands.size();
    std::vector<std::string> cols;
    std::optional<std::vector<std::string>> shown;
    bool barrier_seen = false;
    for (std::size_t i = 0; i < q.commands.size(); ++i) {
      const Command& c = q.commands[i];
      State& st = states[i];
      for (const auto& p : c.items)
        if (p.expr) prepare(*p.expr);
      for (const auto& p : c.by) prepare(*p.expr);
      for (const auto& k : c.sort) prepare(*k.expr);
      if (c.condition) prepare(*c.condition);
      switch (c.kind) {
        case Command::Kind::Fields:
          for (const auto& p : c.items)
            if (std::find(cols.begin(), cols.end(), p.name) == cols.end()) cols.push_back(p.name);
          break;
        case Command::Kind::Display:
          shown.emplace();
          for (const auto& p : c.items) shown->push_back(p.name);
          break;
        case Command::Kind::Parse:
          if (c.regex) {
            st.parse_re.re.emplace(c.pattern, std::regex::ECMAScript | (c.case_insensitive ? std::regex::icase
                                                                                               : std::regex::ECMAScript));
          } else {
            st.glob = glob_pieces(c.pattern);
          }
          break;
        case Command::Kind::Stats:
          if (!aggregated) matched_at = i;
          aggregated = true;
          cols.clear();
          for (const auto& p : c.by) cols.push_back(p.name);
          for (const auto& p : c.items) cols.push_back(p.name);
          break;
        case Command::Kind::Sort:
          sorted = true;
          st.keep_top = rows_kept_after_sort(q, i, max_rows);
          if (!barrier_seen && st.keep_top && newest_first_key(c) && !assigned_before(i, "@timestamp"))
            stop_sort = i;
          break;
        case Command::Kind::Limit:
          if (!barrier_seen && !stop_limit) stop_limit = i;
          break;
        default:
          break;
      }
      if (is_barrier(c)) barrier_seen = true;
    }
    columns = shown ? *shown : cols;
    if (columns.empty()) columns = {"@timestamp", "@message"};
    if (!aggregated && std::find(columns.begin(), columns.end(), "@ptr") == columns.end()) columns.push_back("@ptr");
  }

  static bool newest_first_key(const Command& sort) {
    return sort.sort.size() == 1 && sort.sort[0].descending && sort.sort[0].expr->kind == Expr::Kind::Field &&
           sort.sort[0].expr->text == "@timestamp";
  }

  // Whether a command before `end` sets a field of this name (fields ... as NAME, parse).
  bool assigned_before(std::size_t end, const std::string& name) const {
    for (std::size_t i = 0; i < end; ++i) {
      const Command& c = q.commands[i];
      for (const auto& p : c.items)
        if (p.name == name && !(p.expr && p.expr->kind == Expr::Kind::Field && p.expr->text == name)) return true;
      if (c.kind == Command::Kind::Parse && std::find(c.names.begin(), c.names.end(), name) != c.names.end())
        return true;
    }
    return false;
  }

  void prepare(const Expr& e) {
    if (e.kind == Expr::Kind::Like && e.args[1]->kind == Expr::Kind::Regex)
      matchers.emplace(e.args[1].get(), compile(e.args[1]->text, e.args[1]->case_insensitive));
    for (const auto& a : e.args) prepare(*a);
  }

  // ---- fields and expressions ----
  Value lookup(Row& r, const std::string& name) {
    for (const auto& [n, v] : r.fields)
      if (n == name) return v;
    if (r.is_event && !name.empty() && name[0] == '@') {
      if (name == "@timestamp") return Value::time(r.ts);
      if (name == "@message") return Value::string(std::string(r.message()));
      if (name == "@logStream") return Value::string(std::string(r.log_stream()));
      if (name == "@log") return Value::string(std::string(r.log_name()));
      if (name == "@ingestionTime") return Value::time(r.ingested);
      if (name == "@ptr") return Value::string(pointer(r.group_id, r.ts, r.seq));
      return {};
    }
    if (r.is_event && !r.json_done) {
      r.json_done = true;
      for (auto& [n, v] : json_fields(r.message()))
        if (std::none_of(r.fields.begin(), r.fields.end(), [&](const auto& f) { return f.first == n; }))
          r.fields.emplace_back(std::move(n), std::move(v));
      for (const auto& [n, v] : r.fields)
        if (n == name) return v;
    }
    return {};
  }

  Value eval(const Expr& e, Row& r, const std::vector<Accumulator>* accs = nullptr) {
    using K = Expr::Kind;
    switch (e.kind) {
      case K::Number:
        return Value::number(e.num);
      case K::String:
      case K::Regex:
        return Value::string(e.text);
      case K::Star:
        return Value::number(1);
      case K::Field:
        return lookup(r, e.text);
      case K::Negate: {
        double n;
        Value v = eval(*e.args[0], r, accs);
        if (!as_number(v, n)) return {};
        return Value::number(-n);
      }
      case K::Not:
        return Value::boolean(!truthy(eval(*e.args[0], r, accs)));
      case K::Like: {
        Value v = eval(*e.args[0], r, accs);
        if (v.null()) return Value::boolean(false);
        std::string text = display(v);
        const Expr& pat = *e.args[1];
        if (pat.kind == K::String) return Value::boolean(text.find(pat.text) != std::string::npos);
        return Value::boolean(matchers.at(&pat).search(text));
      }
      case K::In: {
        Value v = eval(*e.args[0], r, accs);
        if (v.null()) return Value::boolean(false);
        for (std::size_t i = 1; i < e.args.size(); ++i)
          if (compare(v, eval(*e.args[i], r, accs)) == 0) return Value::boolean(true);
        return Value::boolean(false);
      }
      case K::Binary:
        return binary(e, r, accs);
      case K::Call:
        if (e.agg_slot >= 0) return accs ? aggregate_value(e, (*accs)[e.agg_slot]) : Value{};
        return call(e, r, accs);
    }
    return {};
  }

  Value binary(const Expr& e, Row& r, const std::vector<Accumulator>* accs) {
    const std::string& op = e.op;
    if (op == "and") return Value::boolean(truthy(eval(*e.args[0], r, accs)) && truthy(eval(*e.args[1], r, accs)));
    if (op == "or") return Value::boolean(truthy(eval(*e.args[0], r, accs)) || truthy(eval(*e.args[1], r, accs)));
    Value a = eval(*e.args[0], r, accs), b = eval(*e.args[1], r, accs);
    if (op == "=" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
      if (a.null() || b.null()) return Value::boolean(false);
      int c = compare(a, b);
      bool out = op == "=" ? c == 0 : op == "!=" ? c != 0 : op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
      return Value::boolean(out);
    }
    double x, y;
    if (!as_number(a, x) || !as_number(b, y)) return {};
    if (op == "+") return Value::number(x + y);
    if (op == "-") return Value::number(x - y);
    if (op == "*") return Value::number(x * y);
    if (y == 0) return {};
    if (op == "/") return Value::number(x / y);
    return Value::number(std::fmod(x, y));
  }

  Value call(const Expr& e, Row& r, const std::vector<Accumulator>* accs) {
    const std::string& f = e.text;
    if (f == "bin") {
      auto period = static_cast<std::int64_t>(e.args[0]->num);
      if (!r.is_event) return {};
      std::int64_t floor = r.ts - ((r.ts % period) + period) % period;
      return Value::time(floor);
    }
    std::vector<Value> a;
    a.reserve(e.args.size());
    for (const auto& arg : e.args) a.push_back(eval(*arg, r, accs));
    auto text = [&](std::size_t i) { return i < a.size() ? display(a[i]) : std::string(); };
    auto num = [&](std::size_t i, double& out) { return i < a.size() && as_number(a[i], out); };
    double n = 0;
    if (f == "ispresent") return Value::boolean(!a.empty() && !a[0].null());
    if (f == "isempty") return Value::boolean(a.empty() || a[0].null() || text(0).empty());
    if (f == "isblank") {
      std::string t = text(0);
      return Value::boolean(std::all_of(t.begin(), t.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }));
    }
    if (f == "strlen") return a.empty() || a[0].null() ? Value{} : Value::number(static_cast<double>(text(0).size()));
    if (f == "tolower") return a.empty() || a[0].null() ? Value{} : Value::string(lower(text(0)));
    if (f == "toupper") {
      if (a.empty() || a[0].null()) return {};
      std::string t = text(0);
      for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return Value::string(t);
    }
    if (f == "trim") {
      std::string t = text(0);
      auto b = t.find_first_not_of(" \t\r\n");
      if (b == std::string::npos) return Value::string("");
      return Value::string(t.substr(b, t.find_last_not_of(" \t\r\n") - b + 1));
    }
    if (f == "concat") {
      std::string out;
      for (std::size_t i = 0; i < a.size(); ++i) out += text(i);
      return Value::string(out);
    }
    if (f == "abs") return num(0, n) ? Value::number(std::fabs(n)) : Value{};
    if (f == "ceil") return num(0, n) ? Value::number(std::ceil(n)) : Value{};
    if (f == "floor") return num(0, n) ? Value::number(std::floor(n)) : Value{};
    if (f == "sqrt") return num(0, n) && n >= 0 ? Value::number(std::sqrt(n)) : Value{};
    if (f == "greatest" || f == "least") {
      std::optional<Value> best;
      for (const auto& v : a) {
        if (v.null()) continue;
        if (!best || (f == "greatest" ? compare(v, *best) > 0 : compare(v, *best) < 0)) best = v;
      }
      return best.value_or(Value{});
    }
    if (f == "coalesce") {
      for (const auto& v : a)
        if (!v.null()) return v;
      return {};
    }
    return {};
  }

  // ---- stats ----
  void fold(const Command& c, State& st, Row& r) {
    std::vector<Value> keys;
    std::string key;
    for (const auto& p : c.by) {
      keys.push_back(eval(*p.expr, r));
      key += std::to_string(static_cast<int>(keys.back().kind));
      key += display(keys.back());
      key += '\x1f';
    }
    auto [it, fresh] = st.group_index.try_emplace(key, st.groups.size());
    if (fresh) st.groups.push_back({std::move(keys), std::vector<Accumulator>(c.aggregates.size())});
    Group& g = st.groups[it->second];
    for (std::size_t i = 0; i < c.aggregates.size(); ++i) accumulate(*c.aggregates[i], g.accs[i], r);
  }

  void accumulate(const Expr& call, Accumulator& acc, Row& r) {
    const std::string& f = call.text;
    if (f == "count" && (call.args.empty() || call.args[0]->kind == Expr::Kind::Star)) {
      acc.count += 1;
      return;
    }
    Value v = eval(*call.args[0], r);
    if (v.null()) return;
    if (f == "count") {
      acc.count += 1;
    } else if (f == "count_distinct") {
      acc.distinct.insert(display(v));
    } else if (f == "earliest" || f == "latest") {
      bool better = !acc.any || (f == "earliest" ? r.ts < acc.best_ts : r.ts > acc.best_ts);
      if (better) {
        acc.best = std::move(v);
        acc.best_ts = r.ts;
        acc.any = true;
      }
    } else {
      double n;
      if (!as_number(v, n)) return;
      if (v.kind != Value::Kind::Time) acc.all_times = false;
      if (f == "min" || f == "max") {
        if (!acc.any || (f == "min" ? n < acc.best.num : n > acc.best.num)) acc.best = v.kind == Value::Kind::Time ? v : Value::number(n);
      } else if (f == "pct") {
        acc.values.push_back(n);
      }
      acc.any = true;
      acc.count += 1;
      acc.sum += n;
      acc.sum_squares += n * n;
    }
  }

  Value aggregate_value(const Expr& call, const Accumulator& acc) {
    const std::string& f = call.text;
    if (f == "count") return Value::number(acc.count);
    if (f == "count_distinct") return Value::number(static_cast<double>(acc.distinct.size()));
    if (!acc.any) return {};
    if (f == "earliest" || f == "latest" || f == "min" || f == "max") return acc.best;
    if (f == "sum") return Value::number(acc.sum);
    if (f == "avg") return Value::number(acc.sum / acc.count);
    if (f == "stddev") {
      if (acc.count < 2) return Value::number(0);
      double mean = acc.sum / acc.count;
      return Value::number(std::sqrt(std::max(0.0, (acc.sum_squares - acc.count * mean * mean) / (acc.count - 1))));
    }
    if (f == "pct") {
      std::vector<double> v = acc.values;
      std::sort(v.begin(), v.end());
      double p = call.args[1]->kind == Expr::Kind::Number ? call.args[1]->num : 50;
      auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
      std::size_t i = rank == 0 ? 0 : std::min(rank - 1, v.size() - 1);
      return Value::number(v[i]);
    }
    return {};
  }

  // ---- the pipeline ----
  void push(Row&& r, std::size_t from) {
    for (std::size_t i = from; i < q.commands.size(); ++i) {
      const Command& c = q.commands[i];
      State& st = states[i];
      if (i == matched_at && r.is_event) ++result.records_matched;
      switch (c.kind) {
        case Command::Kind::Fields:
          for (const auto& p : c.items)
            if (!(p.expr->kind == Expr::Kind::Field && p.expr->text == p.name)) r.set(p.name, eval(*p.expr, r));
          break;
        case Command::Kind::Display:
          break;
        case Command::Kind::Filter:
          if (!truthy(eval(*c.condition, r))) return;
          break;
        case Command::Kind::Parse:
          parse_into(c, st, r);
          break;
        case Command::Kind::Stats:
          fold(c, st, r);
          return;
        case Command::Kind::Sort:
          if (st.keep_top) {
            keep_if_top(c, st, std::move(r));
          } else {
            r.keep();
            st.buffer.push_back(std::move(r));
          }
          return;
        case Command::Kind::Limit:
          if (st.seen >= c.limit) return;
          ++st.seen;
          break;
        case Command::Kind::Dedup: {
          std::string key;
          for (const auto& n : c.names) {
            Value v = lookup(r, n);
            key += std::to_string(static_cast<int>(v.kind)) + display(v) + '\x1f';
          }
          if (!st.dedup.insert(key).second) return;
          break;
        }
      }
    }
    if (matched_at == q.commands.size() && r.is_event) ++result.records_matched;
    r.keep();
    output.push_back(std::move(r));
  }

  void keep_if_top(const Command& c, State& st, Row&& r) {
    std::size_t k = *st.keep_top;
    if (k == 0) return;
    Sorted s;
    for (const auto& key : c.sort) s.keys.push_back(eval(*key.expr, r));
    s.arrival = st.arrivals++;
    // The heap's front is the row that sorts last (a later arrival sorts after an equal one).
    auto later = [&c](const Sorted& a, const Sorted& b) {
      if (sorts_before(c, a.keys, b.keys)) return true;
      if (sorts_before(c, b.keys, a.keys)) return false;
      return a.arrival < b.arrival;
    };
    if (st.top.size() == k) {
      if (!later(s, st.top.front())) return;  // sorts after every row kept
      std::pop_heap(st.top.begin(), st.top.end(), later);
      st.top.pop_back();
    }
    r.keep();
    s.row = std::move(r);
    st.top.push_back(std::move(s));
    std::push_heap(st.top.begin(), st.top.end(), later);
  }

  void parse_into(const Command& c, State& st, Row& r) {
    Value src = eval(*c.source, r);
    if (src.null()) return;
    std::string text = display(src);
    if (c.regex) {
      std::smatch m;
      if (!std::regex_search(text, m, *st.parse_re.re)) return;
      for (std::size_t i = 0; i < c.names.size() && i < c.group_index.size(); ++i) {
        auto g = static_cast<std::size_t>(c.group_index[i]);
        if (g < m.size() && m[g].matched) r.set(c.names[i], Value::string(m[g].str()));
      }
    } else {
      std::vector<std::string> parts;
      if (!match_glob(st.glob, text, parts)) return;
      for (std::size_t i = 0; i < c.names.size() && i < parts.size(); ++i) r.set(c.names[i], Value::string(parts[i]));
    }
  }

  bool add(const Event& e) {
    ++result.records_scanned;
    result.bytes_scanned += static_cast<std::int64_t>(e.message.size());
    Row r;
    r.ts = e.timestamp;
    r.ingested = e.ingestion_time;
    r.group_id = e.group_id;
    r.seq = e.seq;
    r.message_view = e.message;
    r.stream = e.log_stream;
    r.log = e.log;
    push(std::move(r), 0);
    if (stop_limit && states[*stop_limit].seen >= q.commands[*stop_limit].limit) return false;
    if (!aggregated && !sorted && output.size() >= max_rows) return false;
    if (stop_sort && states[*stop_sort].top.size() >= *states[*stop_sort].keep_top) return false;
    return true;
  }

  Result finish() {
    for (std::size_t i = 0; i < q.commands.size(); ++i) {
      const Command& c = q.commands[i];
      State& st = states[i];
      if (c.kind == Command::Kind::Stats) {
        for (Group& g : st.groups) {
          Row r;
          r.is_event = false;
          for (std::size_t k = 0; k < c.by.size(); ++k) r.set(c.by[k].name, g.keys[k]);
          for (const auto& p : c.items) r.set(p.name, eval(*p.expr, r, &g.accs));
          push(std::move(r), i + 1);
        }
        st.groups.clear();
      } else if (c.kind == Command::Kind::Sort && st.keep_top) {
        std::vector<Sorted> rows = std::move(st.top);
        std::sort(rows.begin(), rows.end(), [&c](const Sorted& a, const Sorted& b) {
          if (sorts_before(c, a.keys, b.keys)) return true;
          if (sorts_before(c, b.keys, a.keys)) return false;
          return a.arrival < b.arrival;
        });
        for (Sorted& s : rows) push(std::move(s.row), i + 1);
      } else if (c.kind == Command::Kind::Sort) {
        std::vector<std::vector<Value>> keys;
        keys.reserve(st.buffer.size());
        for (Row& r : st.buffer) {
          keys.emplace_back();
          for (const auto& k : c.sort) keys.back().push_back(eval(*k.expr, r));
        }
        std::vector<std::size_t> order(st.buffer.size());
        for (std::size_t j = 0; j < order.size(); ++j) order[j] = j;
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t x, std::size_t y) { return sorts_before(c, keys[x], keys[y]); });
        std::vector<Row> rows = std::move(st.buffer);
        for (std::size_t j : order) push(std::move(rows[j]), i + 1);
      }
    }
    for (Row& r : output) {
      if (result.rows.size() >= max_rows) break;
      ResultRow out;
      for (const auto& name : columns) {
        Value v = lookup(r, name);
        if (!v.null()) out.emplace_back(name, display(v));
      }
      result.rows.push_back(std::move(out));
    }
    return std::move(result);
  }
};

Evaluator::Evaluator(const Query& query, std::size_t max_rows) : impl_(std::make_unique<Impl>(query, max_rows)) {}
Evaluator::~Evaluator() = default;
bool Evaluator::add(const Event& e) { return impl_->add(e); }
Result Evaluator::finish() { return impl_->finish(); }

Result run(const Query& query, const std::vector<Event>& events, std::size_t max_rows) {
  Evaluator ev(query, max_rows);
  for (const auto& e : events)
    if (!ev.add(e)) break;
  return ev.finish();
}

}  // namespace berth::logs::insights
