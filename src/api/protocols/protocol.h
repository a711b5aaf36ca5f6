#pragma once
// One AWS wire protocol: how a request's bytes become the JSON document handlers take, and how
// a handler's JSON text or an AwsError becomes a response. Handlers never see the protocol:
// an ECS handler and an IAM handler look alike. The codecs walk the model's shapes.
//
// Implementations: awsJson1_0 and awsJson1_1 (aws_json.cpp), query (query.cpp), smithy-rpc-v2-cbor
// (rpc_v2_cbor.cpp). They are stateless; `decode` is a pure function of the operation and the
// bytes (what a fuzzer drives).
#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "api/service_model.h"
#include "common/aws_error.h"
#include "common/json.h"

namespace berth::api::protocols {

class Protocol {
 public:
  virtual ~Protocol() = default;
  virtual std::string_view name() const = 0;

  // Reads the request payload (a JSON body, a form, a CBOR body) as the operation's input
  // document. On failure `out` is unspecified and the error is the one to answer.
  virtual std::optional<AwsError> decode(const Operation& op, std::string_view payload,
                                         rapidjson::Document& out) const = 0;

  // 200 with the handler's JSON output text, written in this protocol.
  virtual HttpResponse success(const ServiceModel& model, const Operation& op, std::string json_text,
                               std::string_view request_id) const = 0;

  // The error response; `model` is null when the request named no service berth knows.
  virtual HttpResponse error(const ServiceModel* model, const AwsError& e, std::string_view request_id) const = 0;
};

const Protocol& aws_json_1_0();
const Protocol& aws_json_1_1();
const Protocol& query();
const Protocol& rpc_v2_cbor();

// The code an error goes by for a query client: the query code (error.code) of the exception
// shape the error names, else the code as given. `x-amzn-query-error` carries it too.
std::string query_code(const ServiceModel* model, const AwsError& e);
// The code an error goes by for a JSON or CBOR client: the exception shape's name, else the
// code as given (so handlers may name an error by either).
std::string shape_code(const ServiceModel* model, const AwsError& e);
// `Code;Sender` or `Code;Receiver` for awsQueryCompatible services' JSON and CBOR errors.
std::string query_error_header(const ServiceModel* model, const AwsError& e);

}  // namespace berth::api::protocols
