// PortProxy against real loopback sockets: an upstream server stands in for the task.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "runtime/port_proxy.h"

using berth::runtime::PortBinding;
using berth::runtime::PortProxy;
using berth::runtime::PortRequest;

namespace {
sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

int bound_socket(int type, int port = 0) {
  int fd = ::socket(AF_INET, type, 0);
  auto a = loopback(port);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

int port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto a = loopback(port);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 ? fd : (::close(fd), -1);
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

// Upstream that answers each connection with "got:" + everything the client sent before
// shutting down its writing side: the relay must carry a half-close across.
std::thread upstream_once(int listener) {
  return std::thread([listener] {
    int c = ::accept(listener, nullptr, nullptr);
    if (c < 0) return;
    std::string got = read_all(c);
    std::string reply = "got:" + got;
    (void)!::write(c, reply.data(), reply.size());
    ::close(c);
  });
}

std::vector<PortBinding> published(const std::variant<std::vector<PortBinding>, std::string>& r) {
  if (auto* e = std::get_if<std::string>(&r)) FAIL(*e);
  return std::get<std::vector<PortBinding>>(r);
}
}  // namespace

TEST_CASE("port proxy relays TCP both ways and carries the client's half-close") {
  int listener = bound_socket(SOCK_STREAM);
  REQUIRE(::listen(listener, 4) == 0);
  PortProxy proxy;
  auto b = published(proxy.publish("task-1", "127.0.0.1", {{port_of(listener), "tcp", 0}}));
  REQUIRE(b.size() == 1);
  CHECK(b[0].host_ip == "127.0.0.1");
  CHECK(b[0].container_port == port_of(listener));
  CHECK(b[0].host_port > 0);
  CHECK(b[0].host_port != port_of(listener));

  auto server = upstream_once(listener);
  int c = connect_to(b[0].host_port);
  REQUIRE(c >= 0);
  std::string big(200000, 'x');  // more than one relay buffer
  REQUIRE(::write(c, big.data(), big.size()) == static_cast<ssize_t>(big.size()));
  ::shutdown(c, SHUT_WR);
  CHECK(read_all(c) == "got:" + big);
  ::close(c);
  server.join();

  // Publishing the same task again keeps what it has.
  auto again = published(proxy.publish("task-1", "127.0.0.1", {{port_of(listener), "tcp", 0}}));
  CHECK(again[0].host_port == b[0].host_port);
  CHECK(proxy.published("task-1").has_value());

  proxy.unpublish("task-1");
  CHECK_FALSE(proxy.published("task-1").has_value());
  // The listener closes on the relay's thread: wait for that, not for a fixed time.
  bool closed = false;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
       !closed && std::chrono::steady_clock::now() < deadline;) {
    int probe = connect_to(b[0].host_port);
    closed = probe < 0;
    if (!closed) {
      ::close(probe);
      std::this_thread::yield();
    }
  }
  CHECK(closed);
  ::close(listener);
}

TEST_CASE("port proxy takes the host port asked for when free, else an ephemeral one") {
  int probe = bound_socket(SOCK_STREAM);
  int wanted = port_of(probe);
  ::close(probe);
  PortProxy proxy;
  auto first = published(proxy.publish("a", "127.0.0.1", {{9, "tcp", wanted}}));
  CHECK(first[0].host_port == wanted);
  auto second = published(proxy.publish("b", "127.0.0.1", {{9, "tcp", wanted}}));
  CHECK(second[0].host_port != wanted);  // taken by the first task
  CHECK(second[0].host_port > 0);
}

TEST_CASE("port proxy refuses a bad task address and binds nothing") {
  PortProxy proxy;
  auto r = proxy.publish("x", "not-an-ip", {{80, "tcp", 0}});
  CHECK(std::holds_alternative<std::string>(r));
  CHECK_FALSE(proxy.published("x").has_value());
}

TEST_CASE("port proxy relays UDP datagrams and their replies") {
  int upstream = bound_socket(SOCK_DGRAM);
  PortProxy proxy;
  auto b = published(proxy.publish("u", "127.0.0.1", {{port_of(upstream), "udp", 0}}));
  REQUIRE(b.size() == 1);
  CHECK(b[0].protocol == "udp");

  std::thread echo([upstream] {
    for (int i = 0; i < 2; ++i) {
      char buf[512];
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(upstream, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) return;
      std::string reply = "echo:" + std::string(buf, static_cast<std::size_t>(n));
      ::sendto(upstream, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  });
  int client = bound_socket(SOCK_DGRAM);
  auto to = loopback(b[0].host_port);
  for (std::string msg : {"one", "two"}) {
    ::sendto(client, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    char buf[512];
    ssize_t n = ::recv(client, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    CHECK(std::string(buf, static_cast<std::size_t>(n)) == "echo:" + msg);
  }
  echo.join();
  ::close(client);
  ::close(upstream);
}

TEST_CASE("port proxy keeps concurrent connections apart") {
  int listener = bound_socket(SOCK_STREAM);
  REQUIRE(::listen(listener, 64) == 0);
  constexpr int kClients = 20;
  // Upstream: one thread per connection, answering "got:" + what it was sent.
  std::thread upstream([listener] {
    std::vector<std::thread> handlers;
    for (int i = 0; i < kClients; ++i) {
      int c = ::accept(listener, nullptr, nullptr);
      if (c < 0) break;
      handlers.emplace_back([c] {
        std::string reply = "got:" + read_all(c);
        (void)!::write(c, reply.data(), reply.size());
        ::close(c);
      });
    }
    for (auto& h : handlers) h.join();
  });
  auto open_descriptors = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator());
  };
  auto before = open_descriptors();
  auto proxy = std::make_unique<PortProxy>();
  auto b = published(proxy->publish("many", "127.0.0.1", {{port_of(listener), "tcp", 0}}));
  std::vector<std::thread> clients;
  std::vector<std::string> answers(kClients);
  for (int i = 0; i < kClients; ++i)
    clients.emplace_back([&, i] {
      int c = connect_to(b[0].host_port);
      if (c < 0) return;
      std::string body(300000 + i, static_cast<char>('a' + i));
      for (std::size_t off = 0; off < body.size();) {
        ssize_t n = ::write(c, body.data() + off, body.size() - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
      }
      ::shutdown(c, SHUT_WR);
      answers[i] = read_all(c);
      ::close(c);
    });
  for (auto& c : clients) c.join();
  upstream.join();
  for (int i = 0; i < kClients; ++i) CHECK(answers[i] == "got:" + std::string(300000 + i, static_cast<char>('a' + i)));
  proxy.reset();
  CHECK(open_descriptors() == before);  // no socket or pipe of a relay outlives it
  ::close(listener);
}

TEST_CASE("port proxy closes a relayed connection idle for longer than its limit") {
  int listener = bound_socket(SOCK_STREAM);
  REQUIRE(::listen(listener, 4) == 0);
  PortProxy proxy({.connect = std::chrono::seconds(2), .idle = std::chrono::milliseconds(300)});
  auto b = published(proxy.publish("idle", "127.0.0.1", {{port_of(listener), "tcp", 0}}));
  int c = connect_to(b[0].host_port);
  REQUIRE(c >= 0);
  int upstream = ::accept(listener, nullptr, nullptr);  // accepts, then says nothing
  REQUIRE(upstream >= 0);
  auto t0 = std::chrono::steady_clock::now();
  char byte;
  ssize_t n = ::read(c, &byte, 1);  // SO_RCVTIMEO is 5 s: an end before it is the relay's doing
  auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(n <= 0);
  CHECK(waited < std::chrono::seconds(3));
  CHECK(waited >= std::chrono::milliseconds(200));
  ::close(c);
  ::close(upstream);
  ::close(listener);
}
