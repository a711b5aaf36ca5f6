#include "api/content_encoding.h"

#include <zlib.h>

namespace berth::api {

std::optional<AwsError> decode_content_encoding(HttpRequest& req, std::size_t limit) {
  auto enc = req.header("Content-Encoding");
  if (enc.empty() || enc == "identity") return std::nullopt;
  if (enc != "gzip" && enc != "x-gzip")
    return AwsError::client("UnsupportedMediaType", "Content-Encoding " + std::string(enc) + " is not supported.", 415);
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return AwsError::server("InternalFailure", "inflate failed");
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(req.body.data());
  z.avail_in = static_cast<uInt>(req.body.size());
  char chunk[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(chunk, sizeof chunk - z.avail_out);
    if (out.size() > limit) {
      rc = Z_MEM_ERROR;
      break;
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {  // truncated stream
      rc = Z_DATA_ERROR;
      break;
    }
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END)
    return AwsError::client(out.size() > limit ? "RequestEntityTooLarge" : "SerializationException",
                            out.size() > limit ? "The decompressed request body is too large."
                                               : "The request body is not valid gzip.",
                            out.size() > limit ? 413 : 400);
  req.body = std::move(out);
  req.content_length = req.body.size();
  return std::nullopt;
}

}  // namespace berth::api
