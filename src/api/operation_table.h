#pragma once
// Every operation berth knows: the model's operations, each with its handler if berth
// implements it. Lookup is by the full X-Amz-Target value.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/context.h"
#include "api/service_model.h"
#include "api/validator.h"

namespace berth::api {

enum class Access { Read, Write };

struct ResolvedOperation {
  const ServiceModel* model = nullptr;
  const Operation* op = nullptr;
  Handler handler = nullptr;  // null: in the model, not implemented
  bool read_only = false;
  ValidationCodes validation;
};

class OperationTable {
 public:
  // Registers a service by its model and the codes of its input validation errors.
  void add_service(std::unique_ptr<ServiceModel> model, ValidationCodes codes);

  // Attaches a handler; throws when the model has no such operation (caught at startup).
  void add(std::string_view service, std::string_view operation, Handler h, Access access);

  const ResolvedOperation* resolve(std::string_view target) const;
  const ServiceModel* model(std::string_view service) const;

  // Per service: "service: N/M operations implemented" then each operation marked.
  std::string coverage() const;

 private:
  std::vector<std::unique_ptr<ServiceModel>> models_;
  std::unordered_map<std::string, ResolvedOperation> by_target_;
};

}  // namespace berth::api
