// DescribeRegistry and PutImageScanningConfiguration: registry-wide and per-repository
// settings berth records and echoes (it neither replicates nor scans).
#include "api/ecr/errors.h"
#include "api/ecr/repository_access.h"
#include "api/services.h"
#include "state/ecr_store.h"

namespace berth::api::ecr {
namespace {

Outcome describe_registry(OpContext& ctx, const json::Value&) {
  Body b;
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  b.w.Key("replicationConfiguration");
  b.w.StartObject();
  b.w.Key("rules");
  b.w.StartArray();
  b.w.EndArray();
  b.w.EndObject();
  b.w.EndObject();
  return b.done();
}

Outcome put_image_scanning_configuration(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto repo = std::get<state::RepositoryRow>(std::move(found));
  bool scan_on_push = json::get_bool(in["imageScanningConfiguration"], "scanOnPush").value_or(false);

  rapidjson::Document doc;
  doc.Parse(repo.doc.c_str(), repo.doc.size());
  if (doc.HasParseError() || !doc.IsObject()) doc.SetObject();
  auto& a = doc.GetAllocator();
  rapidjson::Value scanning(rapidjson::kObjectType);
  scanning.AddMember("scanOnPush", scan_on_push, a);
  if (auto it = doc.FindMember("imageScanningConfiguration"); it != doc.MemberEnd())
    it->value = std::move(scanning);
  else
    doc.AddMember("imageScanningConfiguration", std::move(scanning), a);
  repo.doc = json::dump(doc);
  state::EcrStore(ctx.db, ctx.scope()).update_repository(repo);

  Body b;
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  json::kv(b.w, "repositoryName", repo.name);
  b.w.Key("imageScanningConfiguration");
  b.w.StartObject();
  b.w.Key("scanOnPush");
  b.w.Bool(scan_on_push);
  b.w.EndObject();
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_registry(OperationTable& t) {
  t.add("ecr", "DescribeRegistry", describe_registry, Access::Read);
  t.add("ecr", "PutImageScanningConfiguration", put_image_scanning_configuration, Access::Write);
}

}  // namespace berth::api::ecr
