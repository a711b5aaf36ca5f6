// How one AwsError is named on each wire: handlers may use the exception shape's name
// (NoSuchEntityException) or its query code (NoSuchEntity); the protocols translate.
#include "api/protocols/protocol.h"

namespace berth::api::protocols {

std::string query_code(const ServiceModel* model, const AwsError& e) {
  const Shape* s = model ? model->error_shape(e.code) : nullptr;
  return s && !s->error_code.empty() ? s->error_code : e.code;
}

std::string shape_code(const ServiceModel* model, const AwsError& e) {
  const Shape* s = model ? model->error_shape(e.code) : nullptr;
  return s ? s->name : e.code;
}

std::string query_error_header(const ServiceModel* model, const AwsError& e) {
  return query_code(model, e) + (e.sender_fault() ? ";Sender" : ";Receiver");
}

}  // namespace berth::api::protocols
