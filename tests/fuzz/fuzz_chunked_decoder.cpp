// The chunked upload decoder: the body fed whole and in pieces must decode the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "api/chunked_decoder.h"

using berth::api::ChunkedDecoder;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t step = data[0] % 7 + 1;
  const char* in = reinterpret_cast<const char*>(data + 1);
  std::size_t n = size - 1;

  std::string whole_out, piece_out;
  ChunkedDecoder whole, pieces;
  auto r1 = whole.feed(in, n, [&](const char* p, std::size_t k) { whole_out.append(p, k); });
  auto r2 = ChunkedDecoder::Result::More;
  std::size_t fed = 0, tail = 0;
  for (; fed < n && r2 == ChunkedDecoder::Result::More; fed += step) {
    std::size_t k = std::min(step, n - fed);
    r2 = pieces.feed(in + fed, k, [&](const char* p, std::size_t m) { piece_out.append(p, m); });
    if (r2 == ChunkedDecoder::Result::Done) tail = pieces.tail() + (n - fed - k);
  }
  if (r1 != r2) std::abort();
  if (r1 == ChunkedDecoder::Result::Done && (whole_out != piece_out || whole.tail() != tail)) std::abort();
  return 0;
}
