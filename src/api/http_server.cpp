#include "api/http_server.h"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>
#include <vector>

#include "api/aws_json.h"
#include "common/ids.h"

namespace berth::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct HttpServer::Impl {
  Router& router;
  ServerOptions opt;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};

  Impl(Router& r, ServerOptions o) : router(r), opt(std::move(o)) {}

  static HttpRequest to_request(const http::request<http::string_body>& req) {
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.amz_target = std::string(req["X-Amz-Target"]);
    r.authorization = std::string(req[http::field::authorization]);
    r.content_type = std::string(req[http::field::content_type]);
    r.body = req.body();
    return r;
  }

  static http::response<http::string_body> to_beast(HttpResponse&& resp, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(resp.status), version};
    res.set(http::field::server, "berth");
    res.set(http::field::content_type, resp.content_type);
    for (auto& [k, v] : resp.headers) res.set(k, v);
    res.body() = std::move(resp.body);
    res.keep_alive(keep_alive && !resp.close);
    res.prepare_payload();
    return res;
  }

  // A response for a request that could not be read whole.
  static HttpResponse refusal(const beast::error_code& ec, std::size_t body_limit) {
    if (ec == http::error::body_limit) return aws_json::error(AwsError::too_large(body_limit), ids::uuid_v4());
    int status = ec == http::error::header_limit ? 431 : 400;
    return aws_json::error(AwsError::client("BadRequest", "Malformed HTTP request: " + ec.message(), status),
                           ids::uuid_v4());
  }

  asio::awaitable<void> session(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(opt.header_limit));
      parser.body_limit(opt.body_limit);
      stream.expires_after(std::chrono::seconds(opt.idle_timeout_seconds));
      auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
      if (!ec) {
        stream.expires_after(std::chrono::seconds(opt.read_timeout_seconds));
        std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, use_tuple);
      }
      if (ec) {
        bool peer_gone = ec == http::error::end_of_stream || ec == beast::error::timeout ||
                         ec == asio::error::connection_reset || ec == asio::error::eof ||
                         ec == asio::error::operation_aborted || ec == http::error::partial_message;
        if (!peer_gone) {
          auto res = to_beast(refusal(ec, opt.body_limit), 11, false);
          stream.expires_after(std::chrono::seconds(5));
          co_await http::async_write(stream, res, use_tuple);
        }
        break;
      }
      ++in_flight;
      auto& req = parser.get();
      HttpResponse resp;
      try {
        resp = router.route(to_request(req));
      } catch (const std::exception& e) {
        std::string id = ids::uuid_v4();
        spdlog::error("request {}: {}", id, e.what());
        resp = aws_json::error(AwsError::internal(id), id);
      }
      bool keep_alive = req.keep_alive() && !stopping;
      auto res = to_beast(std::move(resp), req.version(), keep_alive);
      stream.expires_after(std::chrono::seconds(opt.read_timeout_seconds));
      auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
      --in_flight;
      if (wec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> listen() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        continue;  // e.g. too many open files: keep serving the others
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(acceptor.get_executor(), session(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  // Waits for in-flight requests (at most 10 s), then stops the loop.
  asio::awaitable<void> drain() {
    asio::steady_timer t(io);
    for (int i = 0; i < 1000 && in_flight > 0; ++i) {
      t.expires_after(std::chrono::milliseconds(10));
      co_await t.async_wait(use_tuple);
    }
    io.stop();
  }
};

HttpServer::HttpServer(Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}
HttpServer::~HttpServer() = default;

unsigned short HttpServer::bind() {
  auto& a = impl_->acceptor;
  tcp::endpoint ep(asio::ip::make_address(impl_->opt.host), impl_->opt.port);
  a.open(ep.protocol());
  a.set_option(tcp::acceptor::reuse_address(true));
  a.bind(ep);
  a.listen(asio::socket_base::max_listen_connections);
  return a.local_endpoint().port();
}

void HttpServer::run(const std::function<void()>& on_ready) {
  Impl& s = *impl_;
  asio::signal_set signals(s.io, SIGINT, SIGTERM);
  signals.async_wait([&s](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", sig);
    s.stopping = true;
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    asio::co_spawn(s.io, s.drain(), asio::detached);
  });
  asio::co_spawn(s.io, s.listen(), asio::detached);
  if (on_ready) on_ready();
  int n = s.opt.threads > 0 ? s.opt.threads : std::max(4u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (int i = 1; i < n; ++i) pool.emplace_back([&s] { s.io.run(); });
  s.io.run();
  for (auto& t : pool) t.join();
}

}  // namespace berth::api
