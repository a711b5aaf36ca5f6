#include "elb/tcp_relay.h"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>

#include <array>
#include <chrono>
#include <list>
#include <random>

namespace berth::elb {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kIdle = std::chrono::seconds(350);

// Both directions of one relayed connection, ended together.
struct Pair {
  tcp::socket client, upstream;
  asio::steady_timer idle;
  int finished = 0;  // directions done; both: close
  Pair(tcp::socket c, asio::io_context& io) : client(std::move(c)), upstream(io), idle(io) {}
  void close() {
    boost::system::error_code ec;
    client.close(ec);
    upstream.close(ec);
    idle.cancel();
  }
};

asio::awaitable<void> pump(std::shared_ptr<Pair> p, tcp::socket& from, tcp::socket& to) {
  std::array<char, 64 * 1024> buf;
  for (;;) {
    auto [rec, n] = co_await from.async_read_some(asio::buffer(buf), use_tuple);
    if (rec) break;
    p->idle.expires_after(kIdle);
    auto [wec, wn] = co_await asio::async_write(to, asio::buffer(buf.data(), n), use_tuple);
    if (wec) break;
  }
  boost::system::error_code ec;
  to.shutdown(tcp::socket::shutdown_send, ec);  // half-close, as TCP lets the other side finish
  from.shutdown(tcp::socket::shutdown_receive, ec);
  if (++p->finished == 2) p->close();
}

asio::awaitable<void> watch_idle(std::shared_ptr<Pair> p) {
  for (;;) {
    auto [ec] = co_await p->idle.async_wait(use_tuple);
    if (ec != asio::error::operation_aborted) break;  // expired
    if (!p->client.is_open()) co_return;
    // Re-armed by traffic: wait again unless it was closed.
    if (p->idle.expiry() <= asio::steady_timer::clock_type::now()) break;
  }
  p->close();
}
}  // namespace

struct TcpRelay::Impl : std::enable_shared_from_this<Impl> {
  asio::io_context& io;
  TableSource table;
  Balancer& balancer;
  std::list<std::weak_ptr<Pair>> pairs;
  std::mt19937_64 rng{std::random_device{}()};

  Impl(asio::io_context& i, TableSource t, Balancer& b) : io(i), table(std::move(t)), balancer(b) {}

  asio::awaitable<void> session(std::shared_ptr<Pair> p, std::string listener_arn) {
    auto self = shared_from_this();
    auto t = table();
    const ListenerEntry* l = t->listener(listener_arn);
    const Rule* rule = l && !l->rules.empty() ? &l->rules.back() : nullptr;  // the default rule
    const GroupEntry* g = rule ? t->group(pick_group(rule->action, rng())) : nullptr;
    const TargetEntry* target = g ? balancer.pick(*g) : nullptr;
    if (!target) {
      p->close();  // nothing to relay to: NLB resets the connection
      co_return;
    }
    std::string key = target->key();
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(target->address, ec);
    if (ec) co_return p->close();
    // Counted from before the connect, so a target deregistered meanwhile does not end its
    // draining while this connection is on its way.
    balancer.started(key);
    asio::steady_timer connect_timer(io);
    connect_timer.expires_after(std::chrono::seconds(10));
    connect_timer.async_wait([p](boost::system::error_code e) {
      if (!e) {
        boost::system::error_code ignored;
        p->upstream.close(ignored);
      }
    });
    auto [cec] = co_await p->upstream.async_connect(tcp::endpoint(addr, static_cast<unsigned short>(target->port)), use_tuple);
    connect_timer.cancel();
    if (cec) {
      balancer.finished(key);
      co_return p->close();
    }
    p->upstream.set_option(tcp::no_delay(true), ec);
    p->idle.expires_after(kIdle);
    asio::co_spawn(io, watch_idle(p), asio::detached);
    auto up = [](std::shared_ptr<Pair> q) -> asio::awaitable<void> { co_await pump(q, q->upstream, q->client); };
    asio::co_spawn(io, up(p), [self, p, key](std::exception_ptr) {});
    co_await pump(p, p->client, p->upstream);
    balancer.finished(key);
  }
};

TcpRelay::TcpRelay(asio::io_context& io, TableSource table, Balancer& balancer)
    : impl_(std::make_shared<Impl>(io, std::move(table), balancer)) {}
TcpRelay::~TcpRelay() = default;

void TcpRelay::serve(tcp::socket client, std::string listener_arn) {
  boost::system::error_code ec;
  client.set_option(tcp::no_delay(true), ec);
  auto p = std::make_shared<Pair>(std::move(client), impl_->io);
  impl_->pairs.remove_if([](const auto& w) { return w.expired(); });
  impl_->pairs.push_back(p);
  asio::co_spawn(impl_->io, impl_->session(p, std::move(listener_arn)), asio::detached);
}

void TcpRelay::close_all() {
  for (auto& w : impl_->pairs)
    if (auto p = w.lock()) p->close();
  impl_->pairs.clear();
}

}  // namespace berth::elb
