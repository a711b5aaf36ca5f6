// The query protocol's form decoder (IAM, STS, ELBv2, CloudWatch's query clients): any bytes as
// the form of an operation picked by the first byte, then the decoded document written back as
// the operation's XML answer. No crash, and every success is a document the handlers can read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/protocols/protocol.h"
#include "api/protocols/query.h"
#include "api/service_model.h"

using namespace berth;

namespace {
struct Target {
  std::unique_ptr<api::ServiceModel> model;
  std::vector<const api::Operation*> ops;
};

// Operations whose inputs cover what the decoder walks: nested structures, lists (member.N),
// maps (entry.N.key), flattened members, timestamps, numbers, booleans, blobs.
const std::vector<Target>& targets() {
  static const std::vector<Target> t = [] {
    std::vector<Target> out;
    auto add = [&](const char* service, std::vector<const char*> names) {
      Target t{api::ServiceModel::embedded(service), {}};
      for (const char* n : names)
        if (auto* op = t.model->operation(n)) t.ops.push_back(op);
      out.push_back(std::move(t));
    };
    add("iam", {"CreateRole", "PutRolePolicy", "TagRole", "ListRoles", "CreatePolicyVersion"});
    add("sts", {"AssumeRole", "GetCallerIdentity"});
    add("elbv2", {"CreateLoadBalancer", "CreateRule", "ModifyTargetGroupAttributes", "RegisterTargets",
                  "CreateListener"});
    add("cloudwatch", {"PutMetricData", "GetMetricData", "PutMetricAlarm", "GetMetricStatistics"});
    return out;
  }();
  return t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& ts = targets();
  const Target& t = ts[data[0] % ts.size()];
  const api::Operation* op = t.ops[(data[0] / ts.size()) % t.ops.size()];
  std::string_view form(reinterpret_cast<const char*>(data + 1), size - 1);

  (void)api::protocols::parse_form(form);
  const auto& query = api::protocols::query();
  rapidjson::Document doc;
  if (auto err = query.decode(*op, form, doc)) {
    (void)query.error(t.model.get(), *err, "fuzz");
    return 0;
  }
  if (!doc.IsObject()) std::abort();  // handlers take an object
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  if (!doc.Accept(w)) return 0;  // NaN or infinity from a number field: not JSON text
  (void)query.success(*t.model, *op, std::string(buf.GetString(), buf.GetSize()), "fuzz");
  return 0;
}
