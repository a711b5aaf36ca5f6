#pragma once
// The chunked transfer coding (RFC 9112 §7.1) of streamed request bodies, decoded from bytes
// alone so it can be fuzzed; src/api/http_server.cpp feeds it what the socket reads.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>

namespace berth::api {

// Decodes a chunked transfer-encoded body fed in arbitrary pieces; Beast's parser hands out
// at most 64 KiB per read, which halves upload throughput for large blobs.
class ChunkedDecoder {
 public:
  enum class Result { More, Done, Bad };

  // Consumes `in`, passing body bytes to `out(data, size)`.
  template <class Out>
  Result feed(const char* in, std::size_t n, Out&& out) {
    std::size_t i = 0;
    while (i < n) {
      switch (state_) {
        case State::Size: {
          char c = in[i++];
          if (c == '\n') {
            if (!digits_) return Result::Bad;
            state_ = left_ == 0 ? State::Trailer : State::Data;
            line_empty_ = true;
          } else if (!in_ext_ && std::isxdigit(static_cast<unsigned char>(c))) {
            if (left_ > (std::uint64_t{1} << 59)) return Result::Bad;
            left_ = left_ * 16 + static_cast<std::uint64_t>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10));
            ++digits_;
          } else if (c == ';') {
            in_ext_ = true;
          } else if (c != '\r' && c != ' ' && c != '\t' && !in_ext_) {
            return Result::Bad;
          }
          break;
        }
        case State::Data: {
          std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(left_, n - i));
          out(in + i, take);
          i += take;
          left_ -= take;
          if (left_ == 0) state_ = State::DataEnd;
          break;
        }
        case State::DataEnd: {
          char c = in[i++];
          if (c == '\n') {
            state_ = State::Size;
            digits_ = 0;
            in_ext_ = false;
          } else if (c != '\r') {
            return Result::Bad;
          }
          break;
        }
        case State::Trailer: {
          char c = in[i++];
          if (c == '\n') {
            if (line_empty_) {
              state_ = State::Done;
              consumed_tail_ = n - i;
              return Result::Done;
            }
            line_empty_ = true;
          } else if (c != '\r') {
            line_empty_ = false;
          }
          break;
        }
        case State::Done: return Result::Done;
      }
    }
    return state_ == State::Done ? Result::Done : Result::More;
  }
  // Bytes after the body's end in the last piece fed (the next pipelined request).
  std::size_t tail() const { return consumed_tail_; }

 private:
  enum class State { Size, Data, DataEnd, Trailer, Done } state_ = State::Size;
  std::uint64_t left_ = 0;
  int digits_ = 0;
  bool in_ext_ = false;
  bool line_empty_ = true;
  std::size_t consumed_tail_ = 0;
};

}  // namespace berth::api
