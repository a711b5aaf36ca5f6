// The CBOR decoder and the smithy-rpc-v2-cbor protocol (CloudWatch's newest clients): any bytes
// as a request body of an operation picked by the first byte. A decoded body is written back
// through the protocol's encoder, whose bytes must decode again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/protocols/protocol.h"
#include "api/service_model.h"
#include "common/cbor.h"

using namespace berth;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto cw = api::ServiceModel::embedded("cloudwatch");
  static const api::Operation* ops[] = {cw->operation("PutMetricData"), cw->operation("GetMetricData"),
                                        cw->operation("PutMetricAlarm"), cw->operation("ListMetrics"),
                                        cw->operation("GetMetricStatistics")};
  if (size == 0) return 0;
  const api::Operation* op = ops[data[0] % (sizeof ops / sizeof ops[0])];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  (void)cbor::decode(body);
  const auto& proto = api::protocols::rpc_v2_cbor();
  rapidjson::Document doc;
  if (auto err = proto.decode(*op, body, doc)) {
    auto r = proto.error(cw.get(), *err, "fuzz");
    if (std::holds_alternative<std::string>(cbor::decode(r.body))) std::abort();
    return 0;
  }
  if (!doc.IsObject()) std::abort();
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  if (!doc.Accept(w)) return 0;  // NaN or infinity: not JSON text
  // The input document written as the operation's answer: every shape the encoder knows.
  auto r = proto.success(*cw, *op, std::string(buf.GetString(), buf.GetSize()), "fuzz");
  if (std::holds_alternative<std::string>(cbor::decode(r.body))) std::abort();
  return 0;
}
