#include "api/http_server.h"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <list>
#include <mutex>
#include <cctype>
#include <cstring>
#include <thread>
#include <vector>

#include "api/chunked_decoder.h"
#include "api/protocols/protocol.h"
#include "common/ids.h"

namespace berth::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct HttpServer::Impl {
  RequestHandler& router;
  ServerOptions opt;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::list<tcp::acceptor> extra_acceptors;  // stable addresses for their accept loops
  std::mutex listeners_mu;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  ConnectionTaker* taker = nullptr;

  Impl(RequestHandler& r, ServerOptions o) : router(r), opt(std::move(o)) {}

  static HttpRequest to_head(const http::request_header<>& req) {
    HttpRequest r;
    for (const auto& field : req) r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.amz_target = std::string(req["X-Amz-Target"]);
    r.authorization = std::string(req[http::field::authorization]);
    r.content_type = std::string(req[http::field::content_type]);
    for (auto it = req.find(http::field::accept); it != req.end() && it->name() == http::field::accept; ++it)
      r.accept += (r.accept.empty() ? "" : ",") + std::string(it->value());
    r.range = std::string(req[http::field::range]);
    r.content_range = std::string(req[http::field::content_range]);
    r.host = std::string(req[http::field::host]);
    if (auto cl = req.find(http::field::content_length); cl != req.end())
      r.content_length = std::strtoull(std::string(cl->value()).c_str(), nullptr, 10);
    return r;
  }

  template <class Body>
  static void fill(http::response<Body>& res, HttpResponse& resp, bool keep_alive) {
    res.set(http::field::server, "berth");
    if (!resp.content_type.empty()) res.set(http::field::content_type, resp.content_type);
    for (auto& [k, v] : resp.headers) res.insert(k, v);
    res.keep_alive(keep_alive && !resp.close);
  }

  // A response for a request that could not be read whole.
  static HttpResponse refusal(const beast::error_code& ec, std::size_t body_limit) {
    if (ec == http::error::body_limit) return protocols::aws_json_1_1().error(nullptr, AwsError::too_large(body_limit), ids::uuid_v4());
    int status = ec == http::error::header_limit ? 431 : 400;
    return protocols::aws_json_1_1().error(nullptr, AwsError::client("BadRequest", "Malformed HTTP request: " + ec.message(), status),
                           ids::uuid_v4());
  }

  // Writes a response; returns false when the connection must end.
  asio::awaitable<bool> send(beast::tcp_stream& stream, HttpResponse resp, unsigned version, bool keep_alive) {
    stream.expires_after(std::chrono::seconds(opt.read_timeout_seconds));
    if (resp.head_length) {
      http::response<http::empty_body> res{static_cast<http::status>(resp.status), version};
      fill(res, resp, keep_alive);
      res.content_length(*resp.head_length);
      http::response_serializer<http::empty_body> sr{res};
      auto [ec, n] = co_await http::async_write_header(stream, sr, use_tuple);
      co_return !ec && res.keep_alive();
    }
    if (resp.has_file()) co_return co_await send_file(stream, resp, version, keep_alive);
    http::response<http::string_body> res{static_cast<http::status>(resp.status), version};
    fill(res, resp, keep_alive);
    res.body() = std::move(resp.body);
    res.prepare_payload();
    auto [ec, n] = co_await http::async_write(stream, res, use_tuple);
    co_return !ec && res.keep_alive();
  }

  // Streams a file region in fixed-size pieces, so memory stays flat whatever the blob size.
  asio::awaitable<bool> send_file(beast::tcp_stream& stream, HttpResponse& resp, unsigned version, bool keep_alive) {
    beast::file f;
    beast::error_code ec;
    f.open(resp.file_path.c_str(), beast::file_mode::read, ec);
    if (!ec) f.seek(resp.file_offset, ec);
    if (ec) {
      spdlog::error("cannot read {}: {}", resp.file_path, ec.message());
      co_return false;
    }
    http::response<http::buffer_body> res{static_cast<http::status>(resp.status), version};
    fill(res, resp, keep_alive);
    res.content_length(resp.file_length);
    res.body().data = nullptr;
    res.body().more = true;
    http::response_serializer<http::buffer_body> sr{res};
    auto [hec, hn] = co_await http::async_write_header(stream, sr, use_tuple);
    if (hec) co_return false;
    std::vector<char> chunk(256 * 1024);
    std::uint64_t left = resp.file_length;
    while (left > 0) {
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
      std::size_t got = f.read(chunk.data(), want, ec);
      if (ec || got == 0) co_return false;
      left -= got;
      res.body().data = chunk.data();
      res.body().size = got;
      res.body().more = left > 0;
      stream.expires_after(std::chrono::seconds(opt.read_timeout_seconds));
      auto [wec, wn] = co_await http::async_write(stream, sr, use_tuple);
      if (wec == http::error::need_buffer) continue;
      if (wec) co_return false;
    }
    co_return res.keep_alive();
  }

  // Feeds a request body to a sink piece by piece (registry uploads of any size). A body of
  // known length is read straight from the socket in large pieces; a chunked one goes through
  // the parser.
  asio::awaitable<beast::error_code> stream_body(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                                 http::request_parser<http::empty_body>& head, BodySink& sink,
                                                 bool& sink_ok) {
    std::vector<char> chunk(1024 * 1024);
    sink_ok = true;
    if (!head.chunked() && head.content_length()) {
      std::uint64_t left = *head.content_length();
      // Bytes that arrived with the header are already in the buffer.
      std::size_t early = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
      if (early) {
        sink_ok = sink.write(static_cast<const char*>(buffer.data().data()), early);
        buffer.consume(early);
        left -= early;
      }
      while (left > 0) {
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
        stream.expires_after(std::chrono::seconds(opt.read_timeout_seconds));
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk.data(), want), use_tuple);
        if (ec) co_return ec == asio::error::eof ? beast::error_code(http::error::partial_message) : ec;
        left -= n;
        if (sink_ok) sink_ok = sink.write(chunk.data(), n);
      }
      co_return beast::error_code{};
    }
    if (!head.chunked()) co_return beast::error_code{};  // no body
    ChunkedDecoder decoder;
    auto to_sink = [&](const char* p, std::size_t n) {
      if (sink_ok && n) sink_ok = sink.write(p, n);
    };
    // Start with what arrived with the header; leftovers after the body stay for the next request.
    if (buffer.size()) {
      auto data = buffer.data();
      auto r = decoder.feed(static_cast<const char*>(data.data()), data.size(), to_sink);
      if (r == ChunkedDecoder::Result::Bad) co_return beast::error_code(http::error::bad_chunk);
      if (r == ChunkedDecoder::Result::Done) {
        buffer.consume(data.size() - decoder.tail());
        co_return beast::error_code{};
      }
      buffer.consume(data.size());
    }
    for (;;) {
      stream.expires_after(std::chrono::seconds(opt.read_timeout_seconds));
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk.data(), chunk.size()), use_tuple);
      if (ec) co_return ec == asio::error::eof ? beast::error_code(http::error::partial_message) : ec;
      auto r = decoder.feed(chunk.data(), n, to_sink);
      if (r == ChunkedDecoder::Result::Bad) co_return beast::error_code(http::error::bad_chunk);
      if (r == ChunkedDecoder::Result::Done) {
        // Pipelined bytes after the body go back to the buffer for the next request.
        std::size_t tail = decoder.tail();
        if (tail) {
          auto dst = buffer.prepare(tail);
          std::memcpy(dst.data(), chunk.data() + n - tail, tail);
          buffer.commit(tail);
        }
        co_return beast::error_code{};
      }
    }
  }

  // The request header as it came, for a connection handed to a ConnectionTaker.
  static std::string header_text(const http::request_header<>& h) {
    std::string s = std::string(h.method_string()) + " " + std::string(h.target()) +
                    (h.version() == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
    for (const auto& f : h) s += std::string(f.name_string()) + ": " + std::string(f.value()) + "\r\n";
    return s + "\r\n";
  }

  asio::awaitable<void> session(beast::tcp_stream stream, RequestHandler& router) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::empty_body> head;
      head.header_limit(static_cast<std::uint32_t>(opt.header_limit));
      head.body_limit(boost::none);  // the body's parser sets the limit that fits its route
      stream.expires_after(std::chrono::seconds(opt.idle_timeout_seconds));
      auto [ec, n] = co_await http::async_read_header(stream, buffer, head, use_tuple);
      HttpRequest req;
      unsigned version = 11;
      bool keep_alive = false;
      std::unique_ptr<BodySink> sink;
      if (!ec && taker && &router == &this->router && taker->takes(head.get()[http::field::host])) {
        auto rest = buffer.data();
        std::string initial = header_text(head.get()) +
                              std::string(static_cast<const char*>(rest.data()), rest.size());
        stream.expires_never();
        beast::error_code rec;
        int fd = stream.socket().release(rec);
        if (!rec) taker->take(fd, std::move(initial), std::string(head.get()[http::field::host]));
        co_return;
      }
      if (!ec) {
        req = to_head(head.get());
        version = head.get().version();
        keep_alive = head.get().keep_alive();
        sink = router.sink_for(req);
        if (sink) {
          bool sink_ok = true;
          ec = co_await stream_body(stream, buffer, head, *sink, sink_ok);
        } else if (req.content_length && *req.content_length > opt.body_limit) {
          ec = http::error::body_limit;  // refused before reading a byte of it
        } else {
          http::request_parser<http::string_body> parser{std::move(head)};
          parser.body_limit(opt.body_limit);
          stream.expires_after(std::chrono::seconds(opt.read_timeout_seconds));
          std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, use_tuple);
          req.body = std::move(parser.get().body());
        }
      }
      if (ec) {
        if (sink) sink->finish(false);
        bool peer_gone = ec == http::error::end_of_stream || ec == beast::error::timeout ||
                         ec == asio::error::connection_reset || ec == asio::error::eof ||
                         ec == asio::error::operation_aborted || ec == http::error::partial_message;
        if (!peer_gone) co_await send(stream, refusal(ec, opt.body_limit), version, false);
        break;
      }
      ++in_flight;
      HttpResponse resp;
      try {
        resp = sink ? sink->finish(true) : router.route(req);
      } catch (const std::exception& e) {
        std::string id = ids::uuid_v4();
        spdlog::error("request {}: {}", id, e.what());
        resp = protocols::aws_json_1_1().error(nullptr, AwsError::internal(id), id);
      }
      bool more = co_await send(stream, std::move(resp), version, keep_alive && !stopping);
      --in_flight;
      if (!more) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> listen(tcp::acceptor& acceptor, RequestHandler& handler) {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        continue;  // e.g. too many open files: keep serving the others
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(acceptor.get_executor(), session(beast::tcp_stream(std::move(socket)), handler), asio::detached);
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

HttpServer::HttpServer(RequestHandler& router, ServerOptions options)
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

unsigned short HttpServer::add_listener(const std::string& host, unsigned short port, RequestHandler& handler) {
  Impl& s = *impl_;
  std::lock_guard lock(s.listeners_mu);
  if (s.stopping) return 0;
  for (unsigned short p : {port, static_cast<unsigned short>(0)}) {
    boost::system::error_code ec;
    auto& a = s.extra_acceptors.emplace_back(s.io);
    tcp::endpoint ep(asio::ip::make_address(host, ec), p);
    if (!ec) a.open(ep.protocol(), ec);
    if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      spdlog::info("cannot listen on {}:{}: {}", host, p, ec.message());
      s.extra_acceptors.pop_back();
      continue;
    }
    unsigned short bound = a.local_endpoint(ec).port();
    spdlog::info("listening on {}:{}", host, bound);
    asio::co_spawn(s.io, s.listen(a, handler), asio::detached);
    return bound;
  }
  return 0;
}

void HttpServer::set_connection_taker(ConnectionTaker* taker) { impl_->taker = taker; }

void HttpServer::run(const std::function<void()>& on_ready) {
  Impl& s = *impl_;
  asio::signal_set signals(s.io, SIGINT, SIGTERM);
  signals.async_wait([&s](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", sig);
    s.stopping = true;
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    std::lock_guard lock(s.listeners_mu);
    for (auto& a : s.extra_acceptors) a.close(ignored);
    asio::co_spawn(s.io, s.drain(), asio::detached);
  });
  asio::co_spawn(s.io, s.listen(s.acceptor, s.router), asio::detached);
  if (on_ready) on_ready();
  int n = s.opt.threads > 0 ? s.opt.threads : std::max(4u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (int i = 1; i < n; ++i) pool.emplace_back([&s] { s.io.run(); });
  s.io.run();
  for (auto& t : pool) t.join();
}

}  // namespace berth::api
