#include "elb/health_checker.h"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

#include "state/elbv2_store.h"

namespace berth::elb {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::optional<std::string> description_for(const std::optional<std::string>& reason) {
  if (!reason) return std::nullopt;
  if (*reason == "Elb.RegistrationInProgress") return "Target registration is in progress";
  if (*reason == "Elb.InitialHealthChecking") return "Initial health checks in progress";
  if (*reason == "Target.Timeout") return "Request timed out";
  return "Health checks failed";
}

// One probe: connect, then for HTTP read the status line of GET path. A timer closes the
// socket at the timeout, which ends whichever operation is pending.
asio::awaitable<CheckResult> probe(std::string address, int port, HealthCheck hc, std::chrono::milliseconds timeout) {
  auto ex = co_await asio::this_coro::executor;
  auto socket = std::make_shared<tcp::socket>(ex);
  auto timed_out = std::make_shared<bool>(false);
  asio::steady_timer timer(ex);
  timer.expires_after(timeout);
  timer.async_wait([socket, timed_out](boost::system::error_code ec) {
    if (ec) return;
    *timed_out = true;
    boost::system::error_code ignored;
    socket->close(ignored);
  });
  auto fail = [&]() { return CheckResult{*timed_out ? CheckResult::Kind::Timeout : CheckResult::Kind::Failed, 0}; };
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) co_return CheckResult{CheckResult::Kind::Failed, 0};
  auto [cec] = co_await socket->async_connect(tcp::endpoint(addr, static_cast<unsigned short>(port)), use_tuple);
  if (cec) {
    timer.cancel();
    co_return fail();
  }
  if (!hc.http) {
    timer.cancel();
    socket->close(ec);
    co_return CheckResult{};
  }
  std::string req = "GET " + hc.path + " HTTP/1.1\r\nHost: " + address + ":" + std::to_string(port) +
                    "\r\nUser-Agent: ELB-HealthChecker/2.0\r\nAccept: */*\r\nConnection: close\r\n\r\n";
  auto [wec, wn] = co_await asio::async_write(*socket, asio::buffer(req), use_tuple);
  if (wec) {
    timer.cancel();
    co_return fail();
  }
  asio::streambuf buf(16 * 1024);
  auto [rec, rn] = co_await asio::async_read_until(*socket, buf, "\r\n", use_tuple);
  timer.cancel();
  if (rec) co_return fail();
  std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + static_cast<std::ptrdiff_t>(rn));
  socket->close(ec);
  // "HTTP/1.1 200 OK"
  if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) co_return CheckResult{CheckResult::Kind::Failed, 0};
  int status = std::atoi(line.c_str() + 9);
  if (status_matches(hc.matcher, status)) co_return CheckResult{};
  co_return CheckResult{CheckResult::Kind::CodeMismatch, status};
}
}  // namespace

struct HealthChecker::Entry {
  std::string tg, id;
  int port = 0;
  std::string address;
  HealthCheck hc;
  HealthView view;
  HealthCounters counters;
  Clock::time_point next = Clock::now();
  bool running = false;
  bool gone = false;
};

HealthChecker::HealthChecker(asio::io_context& io, state::Database& db, double scale,
                             std::function<void(const std::vector<std::string>&)> changed)
    : io_(io), db_(db), scale_(scale), changed_(std::move(changed)) {}
HealthChecker::~HealthChecker() = default;

void HealthChecker::update(const RoutingTable& table) {
  std::map<std::string, std::shared_ptr<Entry>> next;
  for (const auto& [arn, g] : table.groups) {
    if (!g.in_use) continue;
    for (const auto& t : g.targets) {
      if (t.state == "draining") continue;
      std::string key = arn + "|" + t.id + "|" + std::to_string(t.port);
      auto it = entries_.find(key);
      std::shared_ptr<Entry> e = it != entries_.end() ? it->second : std::make_shared<Entry>();
      if (it == entries_.end() || (!e->running && e->view.state != t.state)) {
        // New, or changed behind our back (registered again): start from what the row says.
        e->tg = arn;
        e->id = t.id;
        e->port = t.port;
        e->view = {t.state, t.reason, description_for(t.reason)};
        e->counters = {};
        e->next = Clock::now();
      }
      e->address = t.address;
      e->hc = g.health;
      next.emplace(key, e);
    }
  }
  for (auto& [key, e] : entries_)
    if (!next.count(key)) e->gone = true;
  entries_ = std::move(next);
}

void HealthChecker::tick() {
  auto now = Clock::now();
  for (auto& [key, e] : entries_) {
    if (e->running || now < e->next) continue;
    e->running = true;
    if (e->view.reason == "Elb.RegistrationInProgress") {
      HealthView checking = initial_checking();
      db_.write([&](state::Connection& c) {
        return state::Elbv2Store(c, {}).set_target_health(e->tg, e->id, e->port, checking.state, checking.reason,
                                                          checking.description);
      });
      e->view = checking;
    }
    int port = e->hc.port.value_or(e->port);
    auto timeout = std::chrono::milliseconds(static_cast<long>(e->hc.timeout_seconds * 1000 * scale_));
    asio::co_spawn(io_, probe(e->address, port, e->hc, timeout),
                   [this, e](std::exception_ptr ex, CheckResult r) {
                     if (ex) r = CheckResult{CheckResult::Kind::Failed, 0};
                     finish(e, r);
                   });
  }
}

void HealthChecker::finish(const std::shared_ptr<Entry>& e, const CheckResult& r) {
  e->running = false;
  e->next = Clock::now() + std::chrono::milliseconds(static_cast<long>(e->hc.interval_seconds * 1000 * scale_));
  if (e->gone) return;
  HealthView next = advance(e->view, e->counters, r, e->hc.healthy_threshold, e->hc.unhealthy_threshold);
  if (next == e->view) return;
  bool written = false;
  try {
    db_.write([&](state::Connection& c) {
      written = state::Elbv2Store(c, {}).set_target_health(e->tg, e->id, e->port, next.state, next.reason, next.description);
      return written;
    });
  } catch (const std::exception& ex) {
    spdlog::warn("elb: cannot record the health of {}:{}: {}", e->id, e->port, ex.what());
    return;
  }
  if (!written) return;
  spdlog::info("elb: target {}:{} of {} is {}{}", e->id, e->port, e->tg, next.state,
               next.description ? " (" + *next.description + ")" : "");
  e->view = next;
  changed_({e->tg});
}

}  // namespace berth::elb
