#include "runtime/port_proxy.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

namespace berth::runtime {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
using boost::system::error_code;

// Bytes a relay moves through its kernel pipe per splice, and how many splices it makes in a row
// before letting other connections on the I/O thread have a turn.
constexpr int kPipeBytes = 256 * 1024;
constexpr int kSplicesPerTurn = 16;
constexpr std::size_t kDatagramMax = 64 * 1024;
// A UDP "connection" is forgotten after this long without a datagram either way, as conntrack does.
constexpr auto kUdpIdle = std::chrono::seconds(60);
const auto kLoopback = asio::ip::address_v4::loopback();

// One accepted connection and its upstream. Each direction moves bytes socket -> pipe -> socket
// with splice(2), so they never pass through user space: as fast as Docker's proxy, and with no
// buffers held by idle connections. The end of one direction half-closes the other side, so
// protocols that shut down writing still work.
class TcpRelay : public std::enable_shared_from_this<TcpRelay> {
 public:
  TcpRelay(tcp::socket client, tcp::endpoint target, TcpLimits limits)
      : client_(std::move(client)), upstream_(client_.get_executor()), target_(target), limits_(limits),
        watchdog_(client_.get_executor()) {}
  ~TcpRelay() {
    for (auto& d : {up_, down_})
      for (int fd : {d.pipe_r, d.pipe_w})
        if (fd >= 0) ::close(fd);
  }

  void start() {
    watch(limits_.connect);
    upstream_.async_connect(target_, [self = shared_from_this()](error_code ec) {
      if (ec || !self->open(self->up_, self->client_, self->upstream_) ||
          !self->open(self->down_, self->upstream_, self->client_))
        return self->close();  // nothing listens in the task (yet): the client sees a reset
      self->connected_ = true;
      self->watch(self->limits_.idle);
      self->pump(self->up_);
      self->pump(self->down_);
    });
  }

 private:
  struct Direction {
    tcp::socket* from = nullptr;
    tcp::socket* to = nullptr;
    int pipe_r = -1, pipe_w = -1;
    std::size_t in_pipe = 0;  // read from `from`, not yet written to `to`
  };

  bool open(Direction& d, tcp::socket& from, tcp::socket& to) {
    d.from = &from;
    d.to = &to;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return false;
    d.pipe_r = fds[0];
    d.pipe_w = fds[1];
    ::fcntl(d.pipe_w, F_SETPIPE_SZ, kPipeBytes);  // a smaller pipe still works
    error_code ec;
    from.native_non_blocking(true, ec);
    if (!ec) to.native_non_blocking(true, ec);
    return !ec;
  }

  // Closes the relay when the upstream has not answered in time, or after idle time without
  // a byte either way; `wait` is how long to sleep before looking again.
  void watch(std::chrono::steady_clock::duration wait) {
    watchdog_.expires_after(wait);
    watchdog_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->closed_) return;
      auto quiet = std::chrono::steady_clock::now() - self->last_moved_;
      if (!self->connected_ || quiet >= self->limits_.idle) return self->close();
      self->watch(self->limits_.idle - quiet);
    });
  }

  void pump(Direction& d) {
    last_moved_ = std::chrono::steady_clock::now();
    for (int turn = 0; turn < kSplicesPerTurn; ++turn) {
      if (d.in_pipe > 0) {  // drain the pipe before reading more
        ssize_t n = ::splice(d.pipe_r, nullptr, d.to->native_handle(), nullptr, d.in_pipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0) {
          d.in_pipe -= static_cast<std::size_t>(n);
          continue;
        }
        if (n < 0 && errno == EAGAIN) return wait(d, *d.to, tcp::socket::wait_write);
        return close();
      }
      ssize_t n = ::splice(d.from->native_handle(), nullptr, d.pipe_w, nullptr, kPipeBytes, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        d.in_pipe = static_cast<std::size_t>(n);
        continue;
      }
      if (n == 0) {  // the sender is done writing: pass the half-close on
        error_code ignored;
        d.to->shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      if (errno == EAGAIN) return wait(d, *d.from, tcp::socket::wait_read);
      return close();
    }
    asio::post(client_.get_executor(), [self = shared_from_this(), &d] { self->pump(d); });
  }

  void wait(Direction& d, tcp::socket& s, tcp::socket::wait_type what) {
    s.async_wait(what, [self = shared_from_this(), &d](error_code ec) {
      if (ec) return self->close();
      self->pump(d);
    });
  }

  void close() {
    closed_ = true;
    error_code ignored;
    client_.close(ignored);
    upstream_.close(ignored);
    watchdog_.cancel();
  }

  tcp::socket client_, upstream_;
  tcp::endpoint target_;
  TcpLimits limits_;
  Direction up_, down_;
  asio::steady_timer watchdog_;
  std::chrono::steady_clock::time_point last_moved_ = std::chrono::steady_clock::now();
  bool connected_ = false, closed_ = false;
};

class TcpListener : public std::enable_shared_from_this<TcpListener> {
 public:
  TcpListener(tcp::acceptor acceptor, tcp::endpoint target, TcpLimits limits)
      : acceptor_(std::move(acceptor)), target_(target), limits_(limits), retry_(acceptor_.get_executor()) {}

  void start() {
    acceptor_.async_accept([self = shared_from_this()](error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (!ec) {
        std::make_shared<TcpRelay>(std::move(s), self->target_, self->limits_)->start();
        return self->start();
      }
      // Out of descriptors and the like: pause instead of spinning.
      self->retry_.expires_after(std::chrono::milliseconds(100));
      self->retry_.async_wait([self](error_code e) {
        if (!e) self->start();
      });
    });
  }
  void close() {
    error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
  }

 private:
  tcp::acceptor acceptor_;
  tcp::endpoint target_;
  TcpLimits limits_;
  asio::steady_timer retry_;
};

class UdpListener;

// The datagrams of one client: a socket connected to the task, so replies find their way back.
class UdpFlow : public std::enable_shared_from_this<UdpFlow> {
 public:
  UdpFlow(asio::any_io_executor ex, std::weak_ptr<UdpListener> listener, udp::endpoint client)
      : listener_(std::move(listener)), client_(client), upstream_(ex), idle_(ex) {}
  bool open(const udp::endpoint& target) {
    error_code ec;
    upstream_.open(udp::v4(), ec);
    if (!ec) upstream_.connect(target, ec);
    if (ec) return false;
    receive();
    touch();
    return true;
  }
  void send(const char* data, std::size_t n) {
    auto copy = std::make_shared<std::vector<char>>(data, data + n);
    upstream_.async_send(asio::buffer(*copy), [copy](error_code, std::size_t) {});
    touch();
  }
  void close() {
    error_code ignored;
    upstream_.close(ignored);
    idle_.cancel();
  }

 private:
  void receive();
  void touch();

  std::weak_ptr<UdpListener> listener_;
  udp::endpoint client_;
  udp::socket upstream_;
  asio::steady_timer idle_;
  std::array<char, kDatagramMax> buf_{};
};

class UdpListener : public std::enable_shared_from_this<UdpListener> {
 public:
  UdpListener(udp::socket socket, udp::endpoint target) : socket_(std::move(socket)), target_(target) {}

  void start() {
    socket_.async_receive_from(asio::buffer(buf_), sender_, [self = shared_from_this()](error_code ec, std::size_t n) {
      if (ec == asio::error::operation_aborted || !self->socket_.is_open()) return;
      if (!ec) self->forward(n);
      self->start();
    });
  }
  void reply(const udp::endpoint& to, const char* data, std::size_t n) {
    if (!socket_.is_open()) return;
    auto copy = std::make_shared<std::vector<char>>(data, data + n);
    socket_.async_send_to(asio::buffer(*copy), to, [copy](error_code, std::size_t) {});
  }
  void drop(const udp::endpoint& client) { flows_.erase(client); }
  void close() {
    error_code ignored;
    socket_.close(ignored);
    for (auto& [_, flow] : flows_) flow->close();
    flows_.clear();
  }

 private:
  void forward(std::size_t n) {
    auto& flow = flows_[sender_];
    if (!flow) {
      flow = std::make_shared<UdpFlow>(socket_.get_executor(), weak_from_this(), sender_);
      if (!flow->open(target_)) {
        flows_.erase(sender_);
        return;
      }
    }
    flow->send(buf_.data(), n);
  }

  udp::socket socket_;
  udp::endpoint target_, sender_;
  std::array<char, kDatagramMax> buf_{};
  std::map<udp::endpoint, std::shared_ptr<UdpFlow>> flows_;
};

void UdpFlow::receive() {
  upstream_.async_receive(asio::buffer(buf_), [self = shared_from_this()](error_code ec, std::size_t n) {
    if (ec == asio::error::operation_aborted || !self->upstream_.is_open()) return;
    // An ICMP "port unreachable" surfaces here as an error; the flow stays for the next datagram.
    if (!ec)
      if (auto l = self->listener_.lock()) l->reply(self->client_, self->buf_.data(), n);
    self->touch();
    self->receive();
  });
}

void UdpFlow::touch() {
  idle_.expires_after(kUdpIdle);
  idle_.async_wait([weak = weak_from_this()](error_code ec) {
    if (ec) return;  // re-armed or cancelled
    auto self = weak.lock();
    if (!self) return;
    self->close();
    if (auto l = self->listener_.lock()) l->drop(self->client_);
  });
}

// Opens a listener on 127.0.0.1:wanted, else on an ephemeral port; empty error on success.
template <class Open>
std::string bind_loopback(int wanted, Open open) {
  error_code ec;
  if (wanted > 0 && !open(static_cast<unsigned short>(wanted), ec)) return {};
  if (!open(0, ec)) return {};
  return ec.message();
}
}  // namespace

struct PortProxy::Impl {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  TcpLimits limits;
  std::thread thread;
  struct Entry {
    std::vector<PortBinding> bindings;
    std::vector<std::shared_ptr<TcpListener>> tcp;
    std::vector<std::shared_ptr<UdpListener>> udp;
  };
  mutable std::mutex mu;
  std::map<std::string, Entry> entries;

  explicit Impl(TcpLimits l) : limits(l), thread([this] { io.run(); }) {}
  ~Impl() {
    guard.reset();
    io.stop();
    thread.join();
  }
};

PortProxy::PortProxy(TcpLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
PortProxy::~PortProxy() = default;

std::variant<std::vector<PortBinding>, std::string> PortProxy::publish(const std::string& key,
                                                                       const std::string& target_ip,
                                                                       const std::vector<PortRequest>& ports) {
  std::lock_guard lock(impl_->mu);
  if (auto it = impl_->entries.find(key); it != impl_->entries.end()) return it->second.bindings;
  error_code ec;
  auto address = asio::ip::make_address_v4(target_ip, ec);
  if (ec) return "no address for the task: '" + target_ip + "'";
  Impl::Entry entry;
  // Sockets are opened here but only used on the I/O thread once started.
  for (const auto& p : ports) {
    PortBinding b{p.container_port, p.protocol, kLoopback.to_string(), 0};
    std::string failure;
    if (p.protocol == "udp") {
      udp::socket s(impl_->io);
      failure = bind_loopback(p.host_port, [&](unsigned short port, error_code& e) {
        if (s.is_open()) s.close(e);
        s.open(udp::v4(), e);
        if (!e) s.bind({kLoopback, port}, e);
        return static_cast<bool>(e);
      });
      if (failure.empty()) {
        b.host_port = s.local_endpoint().port();
        entry.udp.push_back(std::make_shared<UdpListener>(std::move(s), udp::endpoint(address, p.container_port)));
      }
    } else {
      tcp::acceptor a(impl_->io);
      failure = bind_loopback(p.host_port, [&](unsigned short port, error_code& e) {
        if (a.is_open()) a.close(e);
        a.open(tcp::v4(), e);
        // Lets a restarted berth take back its ports while old connections sit in TIME_WAIT.
        if (!e) a.set_option(tcp::acceptor::reuse_address(true), e);
        if (!e) a.bind({kLoopback, port}, e);
        if (!e) a.listen(asio::socket_base::max_listen_connections, e);
        return static_cast<bool>(e);
      });
      if (failure.empty()) {
        b.host_port = a.local_endpoint().port();
        entry.tcp.push_back(std::make_shared<TcpListener>(std::move(a), tcp::endpoint(address, p.container_port), impl_->limits));
      }
    }
    if (!failure.empty())
      return "cannot listen on 127.0.0.1 for port " + std::to_string(p.container_port) + "/" + p.protocol + ": " + failure;
    entry.bindings.push_back(b);
  }
  asio::post(impl_->io, [tcp = entry.tcp, udp = entry.udp] {
    for (auto& l : tcp) l->start();
    for (auto& l : udp) l->start();
  });
  auto bindings = entry.bindings;
  impl_->entries.emplace(key, std::move(entry));
  return bindings;
}

void PortProxy::unpublish(const std::string& key) {
  Impl::Entry entry;
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->entries.find(key);
    if (it == impl_->entries.end()) return;
    entry = std::move(it->second);
    impl_->entries.erase(it);
  }
  // Closed on the I/O thread, and waited for: the ports are free again once this returns.
  std::promise<void> closed;
  asio::post(impl_->io, [&] {
    for (auto& l : entry.tcp) l->close();
    for (auto& l : entry.udp) l->close();
    closed.set_value();
  });
  closed.get_future().wait();
}

std::optional<std::vector<PortBinding>> PortProxy::published(const std::string& key) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->entries.find(key);
  if (it == impl_->entries.end()) return std::nullopt;
  return it->second.bindings;
}

}  // namespace berth::runtime
