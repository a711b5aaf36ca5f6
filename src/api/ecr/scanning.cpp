// Image scanning: the registry's scanning configuration (Put/GetRegistryScanningConfiguration),
// each repository's (PutImageScanningConfiguration, BatchGetRepositoryScanningConfiguration),
// and scans (StartImageScan, DescribeImageScanFindings). berth has no vulnerability database:
// a scan never reports findings it did not make. Every scan ends FAILED with a description
// saying why, which also ends `aws ecr wait image-scan-complete` at once (its failure state).
#include "api/ecr/errors.h"
#include "api/ecr/image_ids.h"
#include "api/ecr/registry_rules.h"
#include "api/ecr/repository_access.h"
#include "api/ecr/registration.h"
#include "api/services.h"
#include "state/ecr_settings_store.h"
#include "state/ecr_store.h"

namespace berth::api::ecr {
namespace {
using state::EcrSettingsStore;

constexpr std::int64_t kScanQuotaMillis = 24 * 3600 * 1000;  // one scan per image per day
constexpr const char* kNoScanner = "berth has no vulnerability database: the image was not scanned.";

std::string scanning_of(OpContext& ctx) {
  auto row = EcrSettingsStore(ctx.db, ctx.scope()).get(state::ecr_setting::kScanning, "");
  return row ? row->doc : R"({"scanType":"BASIC","rules":[]})";
}

Outcome put_registry_scanning_configuration(OpContext& ctx, const json::Value& in) {
  Body doc;
  doc.w.StartObject();
  json::kv(doc.w, "scanType", json::get_string(in, "scanType").value_or("BASIC"));
  doc.w.Key("rules");
  if (const json::Value* rules = json::member(in, "rules"))
    rules->Accept(doc.w);
  else {
    doc.w.StartArray();
    doc.w.EndArray();
  }
  doc.w.EndObject();
  std::string text = doc.done().take_body();
  EcrSettingsStore(ctx.db, ctx.scope()).put(state::ecr_setting::kScanning, "", text, ctx.clock.now_millis());
  return Outcome::ok(R"({"registryScanningConfiguration":)" + text + "}");
}

Outcome get_registry_scanning_configuration(OpContext& ctx, const json::Value&) {
  std::string config = scanning_of(ctx);
  Body b;
  b.w.StartObject();
  json::kv(b.w, "registryId", ctx.account);
  b.w.Key("scanningConfiguration");
  b.w.RawValue(config.c_str(), config.size(), rapidjson::kObjectType);
  b.w.EndObject();
  return b.done();
}

}  // namespace

bool scan_filter_matches(std::string_view filter, std::string_view name) {
  // `*` matches any run of characters, everything else itself (ECR's WILDCARD filters).
  std::size_t f = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (f < filter.size() && filter[f] == '*') {
      star = f++;
      mark = n;
    } else if (f < filter.size() && filter[f] == name[n]) {
      ++f;
      ++n;
    } else if (star != std::string_view::npos) {
      f = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (f < filter.size() && filter[f] == '*') ++f;
  return f == filter.size();
}

namespace {

// What scanning a repository gets: the registry's first rule with a filter matching its name
// (scanFrequency and the filters that matched), else the repository's own scanOnPush.
struct EffectiveScanning {
  std::string frequency;
  std::vector<std::string> filters;
  bool scan_on_push = false;
};

EffectiveScanning effective_scanning(OpContext& ctx, const state::RepositoryRow& repo) {
  rapidjson::Document config;
  config.Parse(scanning_of(ctx).c_str());
  for (const auto& rule : config["rules"].GetArray()) {
    EffectiveScanning e;
    for (const auto& f : rule["repositoryFilters"].GetArray())
      if (scan_filter_matches(json::view(f["filter"]), repo.name)) e.filters.emplace_back(json::view(f["filter"]));
    if (e.filters.empty()) continue;
    e.frequency = std::string(json::view(rule["scanFrequency"]));
    e.scan_on_push = e.frequency == "SCAN_ON_PUSH";
    return e;
  }
  rapidjson::Document doc;
  doc.Parse(repo.doc.c_str());
  bool on_push = doc.IsObject() && doc.HasMember("imageScanningConfiguration") &&
                 json::get_bool(doc["imageScanningConfiguration"], "scanOnPush").value_or(false);
  return {on_push ? "SCAN_ON_PUSH" : "MANUAL", {}, on_push};
}

Outcome batch_get_repository_scanning_configuration(OpContext& ctx, const json::Value& in) {
  state::EcrStore store(ctx.db, ctx.scope());
  Body b;
  b.w.StartObject();
  b.w.Key("scanningConfigurations");
  b.w.StartArray();
  std::vector<std::string> missing;
  for (const auto& n : in["repositoryNames"].GetArray()) {
    auto repo = store.repository(json::view(n));
    if (!repo) {
      missing.emplace_back(json::view(n));
      continue;
    }
    auto e = effective_scanning(ctx, *repo);
    b.w.StartObject();
    json::kv(b.w, "repositoryArn", repo->arn);
    json::kv(b.w, "repositoryName", repo->name);
    b.w.Key("scanOnPush");
    b.w.Bool(e.scan_on_push);
    json::kv(b.w, "scanFrequency", e.frequency);
    b.w.Key("appliedScanFilters");
    b.w.StartArray();
    for (const auto& f : e.filters) {
      b.w.StartObject();
      json::kv(b.w, "filter", f);
      json::kv(b.w, "filterType", "WILDCARD");
      b.w.EndObject();
    }
    b.w.EndArray();
    b.w.EndObject();
  }
  b.w.EndArray();
  b.w.Key("failures");
  b.w.StartArray();
  for (const auto& name : missing) {
    b.w.StartObject();
    json::kv(b.w, "repositoryName", name);
    json::kv(b.w, "failureCode", "REPOSITORY_NOT_FOUND");
    json::kv(b.w, "failureReason", "REPOSITORY_NOT_FOUND");
    b.w.EndObject();
  }
  b.w.EndArray();
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

struct ScannedImage {
  state::RepositoryRow repo;
  state::ImageRow image;
  ImageId id;
};

std::variant<ScannedImage, AwsError> find_image(OpContext& ctx, const json::Value& in) {
  auto found = find_repository(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  auto repo = std::get<state::RepositoryRow>(std::move(found));
  state::EcrStore store(ctx.db, ctx.scope());
  ImageId id = image_id(in["imageId"]);
  auto image = resolve(store, repo.id, id);
  if (auto* failure = std::get_if<std::pair<std::string, std::string>>(&image)) {
    if (failure->first == "ImageNotFound") return errors::image_not_found(describe_id(id), repo.name, ctx.account);
    return errors::invalid_parameter(failure->second);
  }
  return ScannedImage{std::move(repo), std::get<state::ImageRow>(std::move(image)), std::move(id)};
}

void write_head(OpContext& ctx, json::Writer& w, const ScannedImage& s) {
  json::kv(w, "registryId", ctx.account);
  json::kv(w, "repositoryName", s.repo.name);
  w.Key("imageId");
  write_image_id(w, {s.image.digest, s.id.tag});
}

Outcome start_image_scan(OpContext& ctx, const json::Value& in) {
  auto found = find_image(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& s = std::get<ScannedImage>(found);
  EcrSettingsStore settings(ctx.db, ctx.scope());
  std::int64_t now = ctx.clock.now_millis();
  if (auto started = settings.scan_started(s.repo.id, s.image.digest); started && now - *started < kScanQuotaMillis)
    return errors::scan_quota_exceeded();
  settings.start_scan(s.repo.id, s.image.digest, now);
  Body b;
  b.w.StartObject();
  write_head(ctx, b.w, s);
  b.w.Key("imageScanStatus");
  b.w.StartObject();
  json::kv(b.w, "status", "IN_PROGRESS");
  b.w.EndObject();
  b.w.EndObject();
  return b.done();
}

Outcome describe_image_scan_findings(OpContext& ctx, const json::Value& in) {
  auto found = find_image(ctx, in);
  if (auto* e = std::get_if<AwsError>(&found)) return *e;
  const auto& s = std::get<ScannedImage>(found);
  // A scan exists once StartImageScan ran, or when the image was pushed under scan on push.
  bool scanned = EcrSettingsStore(ctx.db, ctx.scope()).scan_started(s.repo.id, s.image.digest).has_value() ||
                 effective_scanning(ctx, s.repo).scan_on_push;
  if (!scanned) return errors::scan_not_found(describe_id(s.id), s.repo.name, ctx.account);
  Body b;
  b.w.StartObject();
  write_head(ctx, b.w, s);
  b.w.Key("imageScanStatus");
  b.w.StartObject();
  json::kv(b.w, "status", "FAILED");
  json::kv(b.w, "description", kNoScanner);
  b.w.EndObject();
  b.w.EndObject();
  return b.done();
}
}  // namespace

void register_scanning(OperationTable& t) {
  t.add("ecr", "PutRegistryScanningConfiguration", put_registry_scanning_configuration, Access::Write);
  t.add("ecr", "GetRegistryScanningConfiguration", get_registry_scanning_configuration, Access::Read);
  t.add("ecr", "BatchGetRepositoryScanningConfiguration", batch_get_repository_scanning_configuration, Access::Read);
  t.add("ecr", "PutImageScanningConfiguration", put_image_scanning_configuration, Access::Write);
  t.add("ecr", "StartImageScan", start_image_scan, Access::Write);
  t.add("ecr", "DescribeImageScanFindings", describe_image_scan_findings, Access::Read);
}

}  // namespace berth::api::ecr
