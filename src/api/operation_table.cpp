#include "api/operation_table.h"

#include <stdexcept>

namespace berth::api {

void OperationTable::add_service(std::unique_ptr<ServiceModel> model, ValidationCodes codes) {
  for (const auto& [name, op] : model->operations()) {
    ResolvedOperation r;
    r.model = model.get();
    r.op = &op;
    r.validation = codes;
    by_target_.emplace(model->target_prefix() + "." + name, std::move(r));
  }
  models_.push_back(std::move(model));
}

const ServiceModel* OperationTable::model(std::string_view service) const {
  for (const auto& m : models_)
    if (m->service() == service) return m.get();
  return nullptr;
}

void OperationTable::add(std::string_view service, std::string_view operation, Handler h, Access access) {
  const ServiceModel* m = model(service);
  if (!m) throw std::logic_error("no model for service " + std::string(service));
  auto it = by_target_.find(m->target_prefix() + "." + std::string(operation));
  if (it == by_target_.end())
    throw std::logic_error(std::string(service) + " model has no operation " + std::string(operation));
  if (it->second.handler) throw std::logic_error("operation registered twice: " + std::string(operation));
  it->second.handler = h;
  it->second.read_only = access == Access::Read;
}

const ResolvedOperation* OperationTable::resolve(std::string_view target) const {
  auto it = by_target_.find(std::string(target));
  return it == by_target_.end() ? nullptr : &it->second;
}

std::string OperationTable::coverage() const {
  std::string out;
  for (const auto& m : models_) {
    std::size_t done = 0;
    std::string lines;
    for (const auto& [name, op] : m->operations()) {
      bool implemented = resolve(m->target_prefix() + "." + name)->handler != nullptr;
      done += implemented;
      lines += std::string(implemented ? "  [x] " : "  [ ] ") + name + "\n";
    }
    out += m->service() + ": " + std::to_string(done) + "/" + std::to_string(m->operations().size()) +
           " operations implemented (model " + m->api_version() + ", botocore " +
           m->botocore_version() + ")\n" + lines;
  }
  return out;
}

}  // namespace berth::api
