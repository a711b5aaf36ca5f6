#pragma once
// Every operation berth knows, keyed by (service, operation): the models' operations, each
// with its handler if berth implements it. Services are found by the names their wire
// protocols use: the X-Amz-Target prefix, the SigV4 signing name.
#include <map>
#include <memory>
#include <string>
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
  // Registers a service by its model and the codes of its input validation errors; throws
  // when the service, its target prefix or its signing name is registered already.
  void add_service(std::unique_ptr<ServiceModel> model, ValidationCodes codes);

  // Attaches a handler; throws for a service or operation the models lack, or one registered
  // twice (caught at start-up).
  void add(std::string_view service, std::string_view operation, Handler h, Access access);

  // The operation of a service (by berth's service name, e.g. "ecs"); null when unknown.
  const ResolvedOperation* find(std::string_view service, std::string_view operation) const;
  // The operation a full X-Amz-Target value names ("Prefix.Operation"); null when unknown.
  const ResolvedOperation* resolve(std::string_view target) const;

  const ServiceModel* model(std::string_view service) const;
  const ServiceModel* by_target_prefix(std::string_view prefix) const;
  const ServiceModel* by_signing_name(std::string_view signing_name) const;
  std::vector<const ServiceModel*> models() const;

  // Per service: "service [protocols]: N/M operations implemented" then each operation marked.
  std::string coverage() const;

 private:
  struct Service {
    std::unique_ptr<ServiceModel> model;
    std::map<std::string, ResolvedOperation, std::less<>> ops;
  };
  const Service* service(std::string_view name) const;
  std::vector<Service> services_;
};

}  // namespace berth::api
