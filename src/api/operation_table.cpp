#include "api/operation_table.h"

#include <stdexcept>

namespace berth::api {

void OperationTable::add_service(std::unique_ptr<ServiceModel> model, ValidationCodes codes) {
  for (const auto& s : services_) {
    const ServiceModel& m = *s.model;
    bool clash = m.service() == model->service() || m.signing_name() == model->signing_name() ||
                 (!model->target_prefix().empty() && m.target_prefix() == model->target_prefix());
    if (clash) throw std::logic_error("service registered twice: " + model->service());
  }
  Service s{std::move(model), {}};
  for (const auto& [name, op] : s.model->operations()) {
    ResolvedOperation r;
    r.model = s.model.get();
    r.op = &op;
    r.validation = codes;
    s.ops.emplace(name, std::move(r));
  }
  services_.push_back(std::move(s));
}

const OperationTable::Service* OperationTable::service(std::string_view name) const {
  for (const auto& s : services_)
    if (s.model->service() == name) return &s;
  return nullptr;
}

const ServiceModel* OperationTable::model(std::string_view name) const {
  const Service* s = service(name);
  return s ? s->model.get() : nullptr;
}

const ServiceModel* OperationTable::by_target_prefix(std::string_view prefix) const {
  for (const auto& s : services_)
    if (!prefix.empty() && s.model->target_prefix() == prefix) return s.model.get();
  return nullptr;
}

const ServiceModel* OperationTable::by_signing_name(std::string_view name) const {
  for (const auto& s : services_)
    if (!name.empty() && s.model->signing_name() == name) return s.model.get();
  return nullptr;
}

std::vector<const ServiceModel*> OperationTable::models() const {
  std::vector<const ServiceModel*> out;
  for (const auto& s : services_) out.push_back(s.model.get());
  return out;
}

void OperationTable::add(std::string_view svc, std::string_view operation, Handler h, Access access) {
  const Service* s = service(svc);
  if (!s) throw std::logic_error("no model for service " + std::string(svc));
  auto it = s->ops.find(operation);
  if (it == s->ops.end())
    throw std::logic_error(std::string(svc) + " model has no operation " + std::string(operation));
  auto& r = const_cast<ResolvedOperation&>(it->second);
  if (r.handler)
    throw std::logic_error("operation registered twice: " + std::string(svc) + " " + std::string(operation));
  r.handler = h;
  r.read_only = access == Access::Read;
}

const ResolvedOperation* OperationTable::find(std::string_view svc, std::string_view operation) const {
  const Service* s = service(svc);
  if (!s) return nullptr;
  auto it = s->ops.find(operation);
  return it == s->ops.end() ? nullptr : &it->second;
}

const ResolvedOperation* OperationTable::resolve(std::string_view target) const {
  auto dot = target.rfind('.');
  if (dot == std::string_view::npos) return nullptr;
  const ServiceModel* m = by_target_prefix(target.substr(0, dot));
  if (!m) return nullptr;
  return find(m->service(), target.substr(dot + 1));
}

std::string OperationTable::coverage() const {
  std::string out;
  for (const auto& s : services_) {
    const ServiceModel& m = *s.model;
    std::size_t done = 0;
    std::string lines;
    for (const auto& [name, r] : s.ops) {
      done += r.handler != nullptr;
      lines += std::string(r.handler ? "  [x] " : "  [ ] ") + name + "\n";
    }
    std::string protocols;
    for (const auto& p : m.protocols()) protocols += (protocols.empty() ? "" : ", ") + p;
    out += m.service() + " [" + protocols + (m.global() ? "; global" : "") + "]: " + std::to_string(done) + "/" +
           std::to_string(s.ops.size()) + " operations implemented (model " + m.api_version() + ", botocore " +
           m.botocore_version() + ")\n" + lines;
  }
  return out;
}

}  // namespace berth::api
