#pragma once
// Which service, operation and wire protocol a request is for, as AWS endpoints tell:
//  1. an X-Amz-Target header: awsJson (1.0 or 1.1 by Content-Type, else the model's version);
//  2. `POST /service/PREFIX/operation/OP` (smithy-protocol: rpc-v2-cbor): CBOR;
//  3. a form (POST body, or a GET query string) with Action and Version: query, the service
//     named by the SigV4 credential scope (iam, sts, elasticloadbalancing, monitoring, ...);
//     unsigned, the one service whose model has that Action at that Version.
// Every service shares one port this way, as with AWS_ENDPOINT_URL.
#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "api/operation_table.h"
#include "api/protocols/protocol.h"

namespace berth::api {

struct Route {
  const protocols::Protocol* protocol = nullptr;  // always set: the protocol to answer in
  const ServiceModel* model = nullptr;             // the service, when known
  const ResolvedOperation* op = nullptr;           // set when routing succeeded
  std::string_view payload;                        // the bytes `decode` reads
  std::string credential;                          // an Authorization-style credential scope
  std::optional<AwsError> error;                   // set when routing failed
};

// Whether a request is an AWS call at all (else the router answers 404).
bool is_aws_call(const HttpRequest& req);

Route route(const OperationTable& ops, const HttpRequest& req);

}  // namespace berth::api
