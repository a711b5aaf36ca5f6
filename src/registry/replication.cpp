#include "registry/replication.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "registry/images.h"
#include "state/ecr_settings_store.h"
#include "state/tags_store.h"

namespace berth::registry {
namespace {

std::string_view view(const rapidjson::Value& v) {
  return v.IsString() ? std::string_view(v.GetString(), v.GetStringLength()) : std::string_view();
}

bool rule_applies(const rapidjson::Value& rule, std::string_view repository) {
  auto filters = rule.FindMember("repositoryFilters");
  if (filters == rule.MemberEnd() || !filters->value.IsArray() || filters->value.Empty()) return true;
  for (const auto& f : filters->value.GetArray())
    if (f.HasMember("filter") && repository.starts_with(view(f["filter"]))) return true;
  return false;
}

// The destination's template for a repository created by replication: the longest matching
// prefix whose appliedFor names REPLICATION, else ROOT.
std::optional<rapidjson::Document> creation_template(state::EcrSettingsStore& settings, std::string_view name) {
  std::optional<rapidjson::Document> best;
  std::size_t best_len = 0;
  for (const auto& row : settings.all(state::ecr_setting::kCreationTemplate)) {
    bool root = row.key == "ROOT";
    std::string prefix = row.key;
    if (!root && !prefix.ends_with("/")) prefix += "/";
    if (!root && !(name.starts_with(prefix) || name == row.key)) continue;
    rapidjson::Document d;
    d.Parse(row.doc.c_str());
    bool for_replication = false;
    if (d.HasMember("appliedFor") && d["appliedFor"].IsArray())
      for (const auto& a : d["appliedFor"].GetArray()) for_replication |= view(a) == "REPLICATION";
    if (!for_replication) continue;
    std::size_t len = root ? 0 : row.key.size() + 1;
    if (!best || len > best_len) {
      best = std::move(d);
      best_len = len;
    }
  }
  return best;
}

state::RepositoryRow create_repository(state::Connection& c, const state::Scope& dest, std::string_view name,
                                       std::int64_t now) {
  state::EcrSettingsStore settings(c, dest);
  auto tmpl = creation_template(settings, name);
  state::RepositoryRow repo;
  repo.name = std::string(name);
  repo.arn = "arn:aws:ecr:" + dest.region + ":" + dest.account + ":repository/" + repo.name;
  repo.created_at = now;
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  rapidjson::Value scanning(rapidjson::kObjectType);
  scanning.AddMember("scanOnPush", false, a);
  doc.AddMember("imageScanningConfiguration", scanning, a);
  if (tmpl && tmpl->HasMember("encryptionConfiguration")) {
    doc.AddMember("encryptionConfiguration", rapidjson::Value((*tmpl)["encryptionConfiguration"], a), a);
  } else {
    rapidjson::Value enc(rapidjson::kObjectType);
    enc.AddMember("encryptionType", "AES256", a);
    doc.AddMember("encryptionConfiguration", enc, a);
  }
  if (tmpl && tmpl->HasMember("imageTagMutability")) repo.tag_mutability = std::string(view((*tmpl)["imageTagMutability"]));
  if (tmpl && tmpl->HasMember("repositoryPolicy") && !view((*tmpl)["repositoryPolicy"]).empty())
    repo.policy = std::string(view((*tmpl)["repositoryPolicy"]));
  if (tmpl && tmpl->HasMember("lifecyclePolicy") && !view((*tmpl)["lifecyclePolicy"]).empty()) {
    repo.lifecycle_policy = std::string(view((*tmpl)["lifecyclePolicy"]));
    repo.lifecycle_updated_at = now;
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  doc.Accept(w);
  repo.doc = buf.GetString();
  state::EcrStore store(c, dest);
  repo.id = store.insert_repository(repo);
  if (tmpl && tmpl->HasMember("resourceTags") && (*tmpl)["resourceTags"].IsArray()) {
    std::vector<state::Tag> tags;
    for (const auto& t : (*tmpl)["resourceTags"].GetArray())
      if (t.HasMember("Key") && t.HasMember("Value")) tags.emplace_back(std::string(view(t["Key"])), std::string(view(t["Value"])));
    state::TagsStore(c).put(repo.arn, tags);
  }
  return repo;
}

// Copies one manifest (and, for an index, the manifests it names first) with its blob links.
void copy_manifest(state::EcrStore& from, std::int64_t from_repo, state::EcrStore& to, std::int64_t to_repo,
                   std::string_view digest, std::int64_t now, int depth) {
  if (depth > 4 || to.image(to_repo, digest)) return;
  auto image = from.image(from_repo, digest);
  if (!image) return;
  auto refs = from.refs_of(from_repo, digest);
  for (const auto& ref : refs) {
    if (from.blob_size(ref))
      to.link_blob(to_repo, ref, now);
    else
      copy_manifest(from, from_repo, to, to_repo, ref, now, depth + 1);
  }
  image->pushed_at = now;
  image->last_pulled_at.reset();
  to.put_image(to_repo, *image, refs);
}

}  // namespace

int replicate_image(state::Connection& c, const state::Scope& source, const state::RepositoryRow& repo,
                    std::string_view digest, const std::optional<std::string>& tag, std::int64_t now) {
  auto config = state::EcrSettingsStore(c, source).get(state::ecr_setting::kReplication, "");
  if (!config) return 0;
  rapidjson::Document d;
  d.Parse(config->doc.c_str());
  if (d.HasParseError() || !d.HasMember("rules") || !d["rules"].IsArray()) return 0;
  state::EcrStore from(c, source);
  int copies = 0;
  for (const auto& rule : d["rules"].GetArray()) {
    if (!rule_applies(rule, repo.name) || !rule.HasMember("destinations")) continue;
    for (const auto& dest_v : rule["destinations"].GetArray()) {
      state::Scope dest{std::string(view(dest_v["registryId"])), std::string(view(dest_v["region"]))};
      if (dest.account == source.account && dest.region == source.region) continue;
      state::EcrStore to(c, dest);
      auto target = to.repository(repo.name);
      if (!target) target = create_repository(c, dest, repo.name, now);
      copy_manifest(from, repo.id, to, target->id, digest, now, 0);
      if (tag) {
        auto current = to.tagged(target->id, *tag);
        if (!current || *current == digest || !immutable(*target)) to.set_tag(target->id, *tag, digest);
      }
      ++copies;
    }
  }
  return copies;
}

bool replicated(state::Connection& c, const state::Scope& destination, std::string_view repository,
                std::string_view digest) {
  state::EcrStore store(c, destination);
  auto repo = store.repository(repository);
  return repo && store.image(repo->id, digest).has_value();
}

}  // namespace berth::registry
