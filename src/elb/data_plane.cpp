#include "elb/data_plane.h"

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <sys/socket.h>

#include "elb/alb_metrics.h"
#include "elb/balancer.h"
#include "elb/health_checker.h"
#include "elb/http_proxy.h"
#include "elb/tcp_relay.h"
#include "metrics/series_reader.h"
#include "state/elbv2_store.h"
#include "state/metrics_store.h"

namespace berth::elb {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct DataPlane::Impl {
  state::Database& db;
  const Clock& clock;
  DataPlaneOptions opt;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;

  mutable std::mutex table_mu;  // guards `table` for the threads that only read it
  std::shared_ptr<const RoutingTable> table = std::make_shared<RoutingTable>();
  std::atomic<bool> rebuild_queued{false};

  Balancer balancer{clock};
  AlbMetrics alb_metrics{opt.metrics_publish_every.count()};
  HttpProxy http{io, [this] { return current(); }, balancer, alb_metrics, clock};
  TcpRelay tcp_relay{io, [this] { return current(); }, balancer};
  HealthChecker health{io, db, opt.health_check_scale, [this](const std::vector<std::string>& groups) {
                         queue_rebuild();
                         if (opt.on_targets_changed) opt.on_targets_changed(groups);
                       }};
  asio::steady_timer ticker{io};
  asio::steady_timer publisher{io};

  struct Bound {
    std::shared_ptr<tcp::acceptor> acceptor;
    std::string listener_arn;
  };
  std::map<int, Bound> bound;          // port -> what is served there
  std::map<std::string, int> clashes;  // listener -> port it could not get (logged once)

  Impl(state::Database& d, const Clock& c, DataPlaneOptions o) : db(d), clock(c), opt(std::move(o)) {}

  std::shared_ptr<const RoutingTable> current() const {
    std::lock_guard lock(table_mu);
    return table;
  }

  void queue_rebuild() {
    if (rebuild_queued.exchange(true)) return;
    asio::post(io, [this] {
      rebuild_queued = false;
      rebuild();
    });
  }

  void rebuild() {
    std::shared_ptr<const RoutingTable> next;
    try {
      db.read([&](state::Connection& c) { next = load_routing_table(c); });
    } catch (const std::exception& e) {
      spdlog::error("elb: cannot read the load balancers: {}", e.what());
      return;
    }
    {
      std::lock_guard lock(table_mu);
      table = next;
    }
    sync_listeners(*next);
    health.update(*next);
    balancer.observe(*next);
    std::set<std::string> keep;
    for (const auto& [arn, g] : next->groups)
      for (const auto* t : routable(g)) keep.insert(t->key());
    http.keep_only(keep);
    if (!next->provisioning.empty()) {
      // Serving now: the balancers' State becomes active, as ELBv2's does after provisioning.
      db.write([&](state::Connection& c) {
        state::Elbv2Store s(c, {});
        for (const auto& arn : next->provisioning) s.set_load_balancer_state(arn, "active");
        return true;
      });
    }
  }

  asio::awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor, int port) {
    for (;;) {
      auto [ec, socket] = co_await acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
        continue;
      }
      auto it = bound.find(port);
      if (it == bound.end() || it->second.acceptor != acceptor) co_return;
      auto t = current();
      const ListenerEntry* l = t->listener(it->second.listener_arn);
      if (!l) continue;
      if (l->protocol == "HTTP")
        http.serve(std::move(socket), l->arn, "");
      else
        tcp_relay.serve(std::move(socket), l->arn);
    }
  }

  // Listens on each listener's port when free; the first listener (by port, then age) to ask
  // for a port gets it. Ports no listener wants any more are closed.
  void sync_listeners(const RoutingTable& t) {
    std::map<int, std::string> wanted;
    for (const auto& l : t.listeners) {
      if (!wanted.emplace(l.port, l.arn).second && !clashes.count(l.arn)) {
        clashes[l.arn] = l.port;
        spdlog::warn("elb: listener {} wants port {}, which another listener serves; it is reachable only "
                     "through berth's port with Host {}:{}", l.arn, l.port, l.dns_name, l.port);
      }
    }
    for (auto it = bound.begin(); it != bound.end();) {
      auto w = wanted.find(it->first);
      if (w == wanted.end()) {
        boost::system::error_code ec;
        it->second.acceptor->close(ec);
        it = bound.erase(it);
      } else {
        it->second.listener_arn = w->second;
        ++it;
      }
    }
    for (const auto& [port, arn] : wanted) {
      if (bound.count(port)) continue;
      auto acceptor = std::make_shared<tcp::acceptor>(io);
      boost::system::error_code ec;
      tcp::endpoint ep(asio::ip::make_address(opt.host, ec), static_cast<unsigned short>(port));
      if (!ec) acceptor->open(ep.protocol(), ec);
      if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec) acceptor->bind(ep, ec);
      if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        if (clashes[arn] != port) {
          const ListenerEntry* l = t.listener(arn);
          spdlog::warn("elb: cannot listen on {}:{} for listener {} ({}); it is reachable only through berth's "
                       "port with Host {}:{}", opt.host, port, arn, ec.message(), l ? l->dns_name : "", port);
          clashes[arn] = port;
        }
        continue;
      }
      clashes.erase(arn);
      spdlog::info("elb: listener {} serves {}:{}", arn, opt.host, port);
      bound[port] = {acceptor, arn};
      asio::co_spawn(io, accept_loop(acceptor, port), asio::detached);
    }
  }

  // Every tick: draining targets whose deregistration delay ended, or that have nothing in flight
  // (Balancer::outstanding), leave their group; the scheduler hears of it at once and stops
  // their tasks. Deciding and counting happen on this thread, so no request starts in between.
  void end_draining() {
    auto ending = drains_ending(*current(), balancer, clock.now_millis());
    if (ending.empty()) return;
    std::set<std::string> groups;
    db.write([&](state::Connection& c) {
      state::Elbv2Store s(c, {});
      for (const auto& e : ending)
        if (s.end_draining(e.tg_arn, e.id, e.port, e.drain_until)) groups.insert(e.tg_arn);
      return !groups.empty();
    });
    if (groups.empty()) return;  // the table was stale: those targets were registered again
    queue_rebuild();
    if (opt.on_targets_changed) opt.on_targets_changed(std::vector<std::string>(groups.begin(), groups.end()));
  }

  // Writes the AWS/ApplicationELB datapoints of the periods that ended (AlbMetrics counts them
  // on this thread as requests pass, so counting takes no lock).
  void publish_metrics() {
    auto points = alb_metrics.take(clock.now_millis(), *current());
    if (points.empty()) return;
    const std::int64_t now = clock.now_millis();
    db.write([&](state::Connection& c) {
      for (const auto& p : points) {
        state::MetricsStore store(c, {p.account, p.region});
        auto id = store.touch_series("AWS/ApplicationELB", p.name, metrics::canonical_dimensions(p.dimensions), now);
        store.add_point(id, {p.ts, p.unit, p.count, p.sum, p.min, p.max, std::nullopt});
      }
      return true;
    });
  }

  // On the period's grid (a little after each boundary), so each datapoint covers a whole period.
  void schedule_publish() {
    const std::int64_t period = std::max<std::int64_t>(opt.metrics_publish_every.count(), 1);
    const std::int64_t now = clock.now_millis();
    publisher.expires_after(std::chrono::milliseconds(period - now % period + std::min<std::int64_t>(period / 20, 1000)));
    publisher.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      try {
        publish_metrics();
      } catch (const std::exception& e) {
        spdlog::error("elb: cannot publish metrics: {}", e.what());
      }
      schedule_publish();
    });
  }

  void schedule_tick() {
    ticker.expires_after(std::chrono::milliseconds(100));
    ticker.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      try {
        health.tick();
        end_draining();
        // A safety net for writers that do not wake us (a reset, another process's rows).
        if (++ticks % 50 == 0) queue_rebuild();
      } catch (const std::exception& e) {
        spdlog::error("elb: {}", e.what());
      }
      schedule_tick();
    });
  }
  unsigned ticks = 0;
};

DataPlane::DataPlane(state::Database& db, const Clock& clock, DataPlaneOptions options)
    : impl_(std::make_unique<Impl>(db, clock, std::move(options))) {}

DataPlane::~DataPlane() { stop(); }

void DataPlane::set_api_port(unsigned short port) { impl_->http.set_own_port(port); }

void DataPlane::start() {
  Impl& s = *impl_;
  s.work.emplace(s.io.get_executor());
  asio::post(s.io, [&s] {
    s.rebuild();
    s.schedule_tick();
    s.schedule_publish();
  });
  s.thread = std::thread([&s] {
    for (;;) {
      try {
        s.io.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("elb: data plane: {}", e.what());
      }
    }
  });
}

void DataPlane::stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  asio::post(s.io, [&s] {
    s.ticker.cancel();
    s.publisher.cancel();
    for (auto& [port, b] : s.bound) {
      boost::system::error_code ec;
      b.acceptor->close(ec);
    }
    s.bound.clear();
    s.http.close_all();
    s.tcp_relay.close_all();
    s.work.reset();
  });
  // Connections still winding down get a moment, then the loop stops regardless.
  std::thread stopper([&s] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    s.io.stop();
  });
  s.thread.join();
  stopper.join();
}

void DataPlane::wake() {
  if (impl_->thread.joinable()) impl_->queue_rebuild();
}

bool DataPlane::serves_host(std::string_view host) const {
  if (host.find(".elb.localhost") == std::string_view::npos) return false;
  const ListenerEntry* l = impl_->current()->listener_for_host(host);
  return l && l->protocol == "HTTP";
}

void DataPlane::adopt(int fd, std::string initial, std::string host) {
  Impl& s = *impl_;
  asio::post(s.io, [&s, fd, initial = std::move(initial), host = std::move(host)]() mutable {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    tcp::socket socket(s.io);
    boost::system::error_code ec;
    socket.assign(addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) {
      ::close(fd);
      return;
    }
    auto t = s.current();
    const ListenerEntry* l = t->listener_for_host(host);
    if (!l || l->protocol != "HTTP") return;  // the socket closes as it goes out of scope
    s.http.serve(std::move(socket), l->arn, std::move(initial));
  });
}

std::shared_ptr<const RoutingTable> DataPlane::table() const { return impl_->current(); }

}  // namespace berth::elb
