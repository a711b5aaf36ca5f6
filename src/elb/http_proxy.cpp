#include "elb/http_proxy.h"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <list>
#include <random>
#include <unordered_map>

#include "common/ids.h"

namespace berth::elb {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kBodyLimit = 64 * 1024 * 1024;
constexpr int kConnectTimeoutSeconds = 10;  // ALB gives a target 10 s to accept
constexpr const char* kStickyCookie = "AWSALB";

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// The page ALB answers with when it cannot get an answer from a target.
HttpResponse error_page(int status, unsigned version) {
  const char* reason = status == 502 ? "Bad Gateway" : status == 503 ? "Service Temporarily Unavailable"
                       : status == 504 ? "Gateway Time-out" : status == 400 ? "Bad Request" : "Error";
  HttpResponse r{static_cast<http::status>(status), version};
  r.set(http::field::server, "awselb/2.0");
  r.set(http::field::content_type, "text/html");
  std::string title = std::to_string(status) + " " + reason;
  r.body() = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
             "</h1></center>\r\n</body>\r\n</html>\r\n";
  r.prepare_payload();
  return r;
}

std::string cookie_value(const HttpRequest& req, std::string_view name) {
  for (auto it = req.find(http::field::cookie); it != req.end() && it->name() == http::field::cookie; ++it) {
    std::string_view v = it->value();
    while (!v.empty()) {
      auto semi = v.find(';');
      auto part = v.substr(0, semi);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=')
        return std::string(part.substr(name.size() + 1));
      if (semi == std::string_view::npos) break;
      v.remove_prefix(semi + 1);
    }
  }
  return {};
}

// ALB's trace header: Root=1-<8 hex seconds>-<24 hex>.
std::string trace_id() {
  char secs[9];
  std::snprintf(secs, sizeof secs, "%08llx", static_cast<unsigned long long>(std::time(nullptr)));
  return "Root=1-" + std::string(secs) + "-" + ids::hex32().substr(0, 24);
}

void strip_hop_by_hop(http::fields& f) {
  for (auto field : {http::field::connection, http::field::keep_alive, http::field::proxy_connection, http::field::te,
                     http::field::trailer, http::field::upgrade, http::field::transfer_encoding})
    f.erase(field);
}
}  // namespace

struct HttpProxy::Impl : std::enable_shared_from_this<Impl> {
  asio::io_context& io;
  TableSource table;
  Balancer& balancer;
  AlbMetrics& metrics;
  const Clock& clock;
  std::unordered_map<std::string, std::vector<std::unique_ptr<beast::tcp_stream>>> idle;  // key -> pooled upstreams
  std::list<std::weak_ptr<beast::tcp_stream>> clients;  // for close_all
  std::mt19937_64 rng{std::random_device{}()};
  bool closed = false;
  int own_port = 0;

  Impl(asio::io_context& i, TableSource t, Balancer& b, AlbMetrics& m, const Clock& c)
      : io(i), table(std::move(t)), balancer(b), metrics(m), clock(c) {}

  HttpResponse elb_error(const ListenerEntry& l, int status, unsigned version) {
    metrics.elb_answer(clock.now_millis(), l.lb_arn, status);
    return error_page(status, version);
  }

  std::unique_ptr<beast::tcp_stream> take_idle(const std::string& key) {
    auto it = idle.find(key);
    if (it == idle.end() || it->second.empty()) return nullptr;
    auto s = std::move(it->second.back());
    it->second.pop_back();
    return s;
  }

  // One exchange with a target; status 0 means the answer is in `out`, else the error page's.
  struct Exchange {
    int error = 0;
    bool before_response = false;  // failed before any response byte: safe to retry
  };

  asio::awaitable<Exchange> exchange(beast::tcp_stream& up, HttpRequest& req, HttpResponse& out, int timeout_seconds) {
    up.expires_after(std::chrono::seconds(timeout_seconds));
    auto [wec, wn] = co_await http::async_write(up, req, use_tuple);
    if (wec) co_return Exchange{wec == beast::error::timeout ? 504 : 502, true};
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    if (req.method() == http::verb::head) parser.skip(true);
    auto [rec, rn] = co_await http::async_read(up, buf, parser, use_tuple);
    if (rec) {
      bool nothing = rn == 0 && (rec == http::error::end_of_stream || rec == asio::error::connection_reset ||
                                 rec == asio::error::eof);
      co_return Exchange{rec == beast::error::timeout ? 504 : 502, nothing};
    }
    out = parser.release();
    co_return Exchange{};
  }

  // Forwards to one target: a pooled connection first (retried once on a fresh one when the
  // target had closed it), else a new one.
  asio::awaitable<int> forward(const TargetEntry& target, HttpRequest& req, HttpResponse& out, int timeout_seconds) {
    std::string key = target.key();
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto up = take_idle(key);
      bool pooled = up != nullptr;
      if (!up) {
        boost::system::error_code ec;
        auto addr = asio::ip::make_address(target.address, ec);
        if (ec || (own_port && target.port == own_port && addr.is_loopback())) co_return 502;
        up = std::make_unique<beast::tcp_stream>(io);
        up->expires_after(std::chrono::seconds(std::min(kConnectTimeoutSeconds, timeout_seconds)));
        auto [cec] = co_await up->async_connect(tcp::endpoint(addr, static_cast<unsigned short>(target.port)), use_tuple);
        if (cec) co_return cec == beast::error::timeout ? 504 : 502;
        up->socket().set_option(tcp::no_delay(true), ec);
      }
      auto result = co_await exchange(*up, req, out, timeout_seconds);
      if (result.error) {
        if (pooled && result.before_response) continue;  // the target closed an idle connection
        co_return result.error;
      }
      if (out.keep_alive() && !closed && idle[key].size() < 64) {
        up->expires_never();
        idle[key].push_back(std::move(up));
      }
      co_return 0;
    }
    co_return 502;
  }

  asio::awaitable<HttpResponse> handle(const ListenerEntry& l, const RoutingTable& t, HttpRequest& req, const std::string& source_ip) {
    elb::Request rq;
    rq.method = std::string(req.method_string());
    rq.host = std::string(req[http::field::host]);
    std::string_view target = req.target();
    auto q = target.find('?');
    rq.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) rq.query = std::string(target.substr(q + 1));
    for (const auto& f : req) rq.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    rq.source_ip = source_ip;
    const Rule* rule = select_rule(l.rules, rq);
    if (!rule) co_return elb_error(l, 503, req.version());
    const Action& a = rule->action;
    if (a.type == Action::Type::FixedResponse) {
      HttpResponse r{static_cast<http::status>(a.status), req.version()};
      r.set(http::field::server, "awselb/2.0");
      if (!a.content_type.empty()) r.set(http::field::content_type, a.content_type);
      r.body() = a.body;
      r.prepare_payload();
      co_return r;
    }
    if (a.type == Action::Type::Redirect) {
      HttpResponse r{static_cast<http::status>(a.status), req.version()};
      r.set(http::field::server, "awselb/2.0");
      r.set(http::field::location, redirect_location(a, rq, "HTTP", l.port));
      r.set(http::field::content_type, "text/html");
      r.prepare_payload();
      co_return r;
    }
    const GroupEntry* g = t.group(pick_group(a, rng()));
    std::string sticky = g && g->sticky ? cookie_value(req, kStickyCookie) : "";
    const TargetEntry* target_entry = g ? balancer.pick(*g, sticky) : nullptr;
    if (!target_entry) co_return elb_error(l, 503, req.version());
    TargetEntry chosen = *target_entry;  // the table may be swapped while we wait

    // What the target sees: X-Forwarded-*, ALB's trace id, and a keep-alive connection.
    std::string xff(req["X-Forwarded-For"]);
    if (l.xff_mode == "append")
      req.set("X-Forwarded-For", xff.empty() ? source_ip : xff + ", " + source_ip);
    else if (l.xff_mode == "remove")
      req.erase("X-Forwarded-For");
    req.set("X-Forwarded-Proto", "http");
    req.set("X-Forwarded-Port", std::to_string(l.port));
    if (req.find("X-Amzn-Trace-Id") == req.end()) req.set("X-Amzn-Trace-Id", trace_id());
    bool client_keep_alive = req.keep_alive();
    strip_hop_by_hop(req.base());
    req.version(11);
    req.keep_alive(true);
    req.prepare_payload();

    HttpResponse out;
    std::string lb_arn = l.lb_arn, tg_arn = g->arn;  // `l` and `g` live in a table that may be swapped
    auto sent = std::chrono::steady_clock::now();
    balancer.started(chosen.key());
    int error = co_await forward(chosen, req, out, l.idle_timeout_seconds);
    balancer.finished(chosen.key());
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - sent;
    metrics.target_answer(clock.now_millis(), lb_arn, tg_arn, error ? 0 : out.result_int(), took.count());
    req.keep_alive(client_keep_alive);
    if (error) {
      metrics.elb_answer(clock.now_millis(), lb_arn, error);
      co_return error_page(error, req.version());
    }
    strip_hop_by_hop(out.base());
    if (g->sticky && sticky != chosen.key())
      out.insert(http::field::set_cookie, std::string(kStickyCookie) + "=" + chosen.key() +
                                              "; Max-Age=" + std::to_string(g->sticky_seconds) + "; Path=/");
    if (req.method() != http::verb::head) out.prepare_payload();
    co_return out;
  }

  asio::awaitable<void> session(std::shared_ptr<beast::tcp_stream> client, std::string listener_arn, std::string initial) {
    auto self = shared_from_this();
    beast::flat_buffer buf;
    if (!initial.empty()) {
      auto b = buf.prepare(initial.size());
      std::memcpy(b.data(), initial.data(), initial.size());
      buf.commit(initial.size());
    }
    boost::system::error_code ec;
    auto peer = client->socket().remote_endpoint(ec);
    std::string source_ip = ec ? "" : peer.address().to_string();
    if (source_ip.rfind("::ffff:", 0) == 0) source_ip = source_ip.substr(7);
    for (;;) {
      int idle_seconds = 60;
      {
        auto t = table();
        const ListenerEntry* l = t->listener(listener_arn);
        if (!l) break;
        idle_seconds = l->idle_timeout_seconds;
      }
      http::request_parser<http::string_body> parser;
      parser.body_limit(kBodyLimit);
      parser.header_limit(64 * 1024);
      client->expires_after(std::chrono::seconds(idle_seconds));
      auto [rec, rn] = co_await http::async_read(*client, buf, parser, use_tuple);
      if (rec) {
        bool gone = rec == http::error::end_of_stream || rec == beast::error::timeout || rec == asio::error::eof ||
                    rec == asio::error::connection_reset || rec == asio::error::operation_aborted ||
                    rec == http::error::partial_message;
        if (!gone) {
          if (auto t = table(); const ListenerEntry* l = t->listener(listener_arn))
            metrics.elb_answer(clock.now_millis(), l->lb_arn, 400);
          auto r = error_page(400, 11);
          r.keep_alive(false);
          client->expires_after(std::chrono::seconds(10));
          co_await http::async_write(*client, r, use_tuple);
        }
        break;
      }
      HttpRequest req = parser.release();
      auto t = table();
      const ListenerEntry* l = t->listener(listener_arn);
      if (!l) break;
      HttpResponse res = co_await handle(*l, *t, req, source_ip);
      res.keep_alive(req.keep_alive() && !closed);
      client->expires_after(std::chrono::seconds(std::max(idle_seconds, 60)));
      auto [wec, wn] = co_await http::async_write(*client, res, use_tuple);
      if (wec || !res.keep_alive()) break;
    }
    client->socket().shutdown(tcp::socket::shutdown_send, ec);
    client->close();
  }
};

HttpProxy::HttpProxy(asio::io_context& io, TableSource table, Balancer& balancer, AlbMetrics& metrics,
                     const Clock& clock)
    : impl_(std::make_shared<Impl>(io, std::move(table), balancer, metrics, clock)) {}
HttpProxy::~HttpProxy() = default;

void HttpProxy::serve(tcp::socket client, std::string listener_arn, std::string initial) {
  boost::system::error_code ec;
  client.set_option(tcp::no_delay(true), ec);
  auto stream = std::make_shared<beast::tcp_stream>(std::move(client));
  auto& clients = impl_->clients;
  clients.remove_if([](const auto& w) { return w.expired(); });
  clients.push_back(stream);
  asio::co_spawn(impl_->io, impl_->session(stream, std::move(listener_arn), std::move(initial)), asio::detached);
}

void HttpProxy::set_own_port(int port) { impl_->own_port = port; }

void HttpProxy::keep_only(const std::set<std::string>& keep) {
  for (auto it = impl_->idle.begin(); it != impl_->idle.end();)
    it = keep.count(it->first) ? std::next(it) : impl_->idle.erase(it);
}

void HttpProxy::close_all() {
  impl_->closed = true;
  impl_->idle.clear();
  for (auto& w : impl_->clients)
    if (auto s = w.lock()) s->close();
  impl_->clients.clear();
}

}  // namespace berth::elb
