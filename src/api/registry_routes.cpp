#include "api/registry_routes.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <charconv>

#include "common/base64.h"
#include "common/json.h"
#include "registry/digest.h"
#include "registry/images.h"
#include "registry/replication.h"
#include "registry/manifests.h"
#include "state/ecr_store.h"

namespace berth::api {
namespace {
using registry::PutImageResult;

// Each OCI error code with its HTTP status, registered once.
struct RegistryError {
  const char* code;
  int status;
  const char* message;
};
constexpr RegistryError kErrors[] = {
    {"BLOB_UNKNOWN", 404, "blob unknown to registry"},
    {"BLOB_UPLOAD_INVALID", 400, "blob upload invalid"},
    {"BLOB_UPLOAD_UNKNOWN", 404, "blob upload unknown to registry"},
    {"DIGEST_INVALID", 400, "provided digest did not match uploaded content"},
    {"MANIFEST_BLOB_UNKNOWN", 400, "blob unknown to registry"},
    {"MANIFEST_INVALID", 400, "manifest invalid"},
    {"MANIFEST_UNKNOWN", 404, "manifest unknown"},
    {"NAME_INVALID", 400, "invalid repository name"},
    {"NAME_UNKNOWN", 404, "repository name not known to registry"},
    {"SIZE_INVALID", 400, "provided length did not match content length"},
    {"TAG_INVALID", 400, "manifest tag did not match URI"},
    {"UNAUTHORIZED", 401, "authentication required"},
    {"DENIED", 403, "requested access to the resource is denied"},
    {"UNSUPPORTED", 405, "The operation is unsupported."},
    {"TOOMANYREQUESTS", 429, "too many requests"},
    {"RANGE_INVALID", 416, "invalid content range"},
};

HttpResponse base_response(int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.headers.emplace_back("Docker-Distribution-API-Version", "registry/2.0");
  return r;
}

HttpResponse oci_error(std::string_view code, std::string_view detail = {}, std::string message = {}) {
  const RegistryError* e = &kErrors[0];
  for (const auto& k : kErrors)
    if (k.code == code) e = &k;
  HttpResponse r = base_response(code == "RANGE_INVALID" ? 416 : e->status);
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  w.Key("errors");
  w.StartArray();
  w.StartObject();
  json::kv(w, "code", code == "RANGE_INVALID" ? "BLOB_UPLOAD_INVALID" : code);
  json::kv(w, "message", message.empty() ? std::string(e->message) : message);
  w.Key("detail");
  if (detail.empty())
    w.Null();
  else
    json::str(w, detail);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  r.body.assign(buf.GetString(), buf.GetSize());
  return r;
}

// The value of a query parameter, percent-decoded.
std::optional<std::string> query_param(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      std::string_view raw = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
      std::string out;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size() + 0 && i + 2 <= raw.size() - 1 + 1) {
          int v = 0;
          auto [p, ec] = std::from_chars(raw.data() + i + 1, raw.data() + i + 3, v, 16);
          if (ec == std::errc()) {
            out.push_back(static_cast<char>(v));
            i += 2;
            continue;
          }
        }
        out.push_back(raw[i] == '+' ? ' ' : raw[i]);
      }
      return out;
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

bool valid_repository_name(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    auto slash = name.find('/', start);
    std::string_view comp = name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (comp.empty()) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(comp.front()) || !alnum(comp.back())) return false;
    for (char c : comp)
      if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

// The parts of a /v2/ path.
struct Route {
  enum class Kind { Base, Catalog, Tags, Manifest, Blob, UploadStart, Upload, Unknown } kind = Kind::Unknown;
  std::string name;
  std::string ref;  // tag or digest, blob digest, or upload id
};

Route parse_route(std::string_view path) {
  Route r;
  if (path == "/v2" || path == "/v2/") {
    r.kind = Route::Kind::Base;
    return r;
  }
  std::string_view rest = path.substr(4);  // after "/v2/"
  if (rest == "_catalog") {
    r.kind = Route::Kind::Catalog;
    return r;
  }
  auto split = [&](std::string_view marker, Route::Kind kind) {
    auto pos = rest.rfind(marker);
    if (pos == std::string_view::npos || pos == 0) return false;
    r.name = std::string(rest.substr(0, pos));
    r.ref = std::string(rest.substr(pos + marker.size()));
    r.kind = kind;
    return true;
  };
  if (rest.ends_with("/tags/list")) {
    r.name = std::string(rest.substr(0, rest.size() - 10));
    r.kind = Route::Kind::Tags;
  } else if (rest.ends_with("/blobs/uploads/") || rest.ends_with("/blobs/uploads")) {
    r.name = std::string(rest.substr(0, rest.rfind("/blobs/uploads")));
    r.kind = Route::Kind::UploadStart;
  } else if (!split("/blobs/uploads/", Route::Kind::Upload) && !split("/manifests/", Route::Kind::Manifest)) {
    split("/blobs/", Route::Kind::Blob);
  }
  return r;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }
}  // namespace

struct RegistryRoutes::Impl {
  state::Database& db;
  registry::BlobStore& blobs;
  registry::Uploads& uploads;
  const registry::TokenIssuer& tokens;
  const Clock& clock;
  const Config& config;
  std::function<bool(std::string_view)> principal_ok;

  struct Caller {
    state::Scope scope;
  };

  // The caller from Basic credentials (user AWS, password from GetAuthorizationToken).
  std::optional<Caller> authenticate(const HttpRequest& req) const {
    if (!config.registry_auth) return Caller{{config.account_id, config.region}};
    std::string_view auth = req.authorization;
    // GetDownloadUrlForLayer's links carry their credential in the query, like a pre-signed URL.
    if (auth.empty() && (req.method == "GET" || req.method == "HEAD"))
      if (auto token = query_param(req.target, "X-Berth-Token"))
        if (auto id = verified(*token)) return Caller{{id->account, id->region}};
    if (!auth.starts_with("Basic ")) return std::nullopt;
    auto decoded = base64::decode(auth.substr(6));
    if (!decoded) return std::nullopt;
    auto colon = decoded->find(':');
    if (colon == std::string::npos || decoded->substr(0, colon) != "AWS") return std::nullopt;
    auto id = verified(std::string_view(*decoded).substr(colon + 1));
    if (!id) return std::nullopt;
    return Caller{{id->account, id->region}};
  }

  // A genuine, unexpired token whose principal still verifies (under --credentials).
  std::optional<registry::TokenIdentity> verified(std::string_view password) const {
    auto id = tokens.verify(password, clock.now_millis());
    if (id && principal_ok && !principal_ok(id->principal)) return std::nullopt;
    return id;
  }

  HttpResponse unauthorized() const {
    HttpResponse r = oci_error("UNAUTHORIZED");
    r.headers.emplace_back("WWW-Authenticate",
                           "Basic realm=\"https://" + config.account_id + ".dkr.ecr." + config.region +
                               ".amazonaws.com/\",service=\"ecr.amazonaws.com\"");
    return r;
  }

  std::optional<state::RepositoryRow> repository(state::Connection& c, const Caller& who, std::string_view name) {
    return state::EcrStore(c, who.scope).repository(name);
  }

  HttpResponse name_unknown(std::string_view name, const Caller& who) const {
    return oci_error("NAME_UNKNOWN", {},
                     "The repository with name '" + std::string(name) + "' does not exist in the registry with id '" +
                         who.scope.account + "'");
  }

  // --- manifests ---------------------------------------------------------------------------

  HttpResponse get_manifest(const HttpRequest& req, const Caller& who, const Route& r) {
    bool head = req.method == "HEAD";
    std::optional<state::ImageRow> image;
    std::optional<state::RepositoryRow> repo;
    db.read([&](state::Connection& c) {
      repo = repository(c, who, r.name);
      if (!repo) return;
      state::EcrStore store(c, who.scope);
      std::optional<std::string> digest =
          registry::is_digest_syntax(r.ref) ? std::optional<std::string>(r.ref) : store.tagged(repo->id, r.ref);
      if (digest) image = store.image(repo->id, *digest);
    });
    if (!repo) return name_unknown(r.name, who);
    if (!image) return oci_error("MANIFEST_UNKNOWN", {}, "Requested image not found");
    if (!head)
      db.write([&](state::Connection& c) {
        state::EcrStore(c, who.scope).touch_pull(repo->id, image->digest, clock.now_millis());
        return true;
      });
    HttpResponse resp = base_response(200);
    resp.content_type = image->media_type;
    resp.headers.emplace_back("Docker-Content-Digest", image->digest);
    resp.headers.emplace_back("ETag", "\"" + image->digest + "\"");
    if (head)
      resp.head_length = image->manifest.size();
    else
      resp.body = std::move(image->manifest);
    return resp;
  }

  HttpResponse put_manifest(const HttpRequest& req, const Caller& who, const Route& r) {
    registry::PutImageRequest put;
    put.manifest = req.body;
    put.content_type = req.content_type;
    if (registry::is_digest_syntax(r.ref))
      put.digest = r.ref;
    else
      put.tag = r.ref;
    PutImageResult result;
    bool found = true;
    db.write([&](state::Connection& c) {
      auto repo = repository(c, who, r.name);
      if (!repo) return found = false;
      state::EcrStore store(c, who.scope);
      result = registry::put_image(store, *repo, blobs, put, clock.now_millis());
      if (result.status == PutImageResult::Status::Ok)
        registry::replicate_image(c, who.scope, *repo, result.digest, put.tag, clock.now_millis());
      return result.status == PutImageResult::Status::Ok || result.status == PutImageResult::Status::Unchanged;
    });
    if (!found) return name_unknown(r.name, who);
    using S = PutImageResult::Status;
    switch (result.status) {
      case S::Invalid: return oci_error("MANIFEST_INVALID", result.detail);
      case S::DigestMismatch: return oci_error("DIGEST_INVALID", result.detail);
      case S::BlobUnknown:
      case S::ManifestUnknown: return oci_error("MANIFEST_BLOB_UNKNOWN", result.detail);
      case S::TagInvalid: return oci_error("TAG_INVALID", result.detail);
      case S::TagImmutable:
        return oci_error("TAG_INVALID", {},
                         "The image tag '" + result.detail + "' already exists in the '" + r.name +
                             "' repository and cannot be overwritten because the repository is immutable.");
      default: break;
    }
    HttpResponse resp = base_response(201);
    resp.headers.emplace_back("Location", "/v2/" + r.name + "/manifests/" + result.digest);
    resp.headers.emplace_back("Docker-Content-Digest", result.digest);
    return resp;
  }

  HttpResponse delete_manifest(const Caller& who, const Route& r) {
    enum { Ok, NoRepo, NoImage } outcome = Ok;
    db.write([&](state::Connection& c) {
      auto repo = repository(c, who, r.name);
      if (!repo) {
        outcome = NoRepo;
        return false;
      }
      state::EcrStore store(c, who.scope);
      if (!registry::is_digest_syntax(r.ref)) {  // deleting a tag leaves the image
        if (!store.tagged(repo->id, r.ref)) {
          outcome = NoImage;
          return false;
        }
        store.delete_tag(repo->id, r.ref);
        return true;
      }
      if (!store.image(repo->id, r.ref)) {
        outcome = NoImage;
        return false;
      }
      registry::delete_image(store, repo->id, r.ref);
      registry::collect_garbage(store, blobs);
      return true;
    });
    if (outcome == NoRepo) return name_unknown(r.name, who);
    if (outcome == NoImage) return oci_error("MANIFEST_UNKNOWN");
    return base_response(202);
  }

  // --- blobs ---------------------------------------------------------------------------------

  HttpResponse get_blob(const HttpRequest& req, const Caller& who, const Route& r) {
    if (!registry::is_digest_syntax(r.ref)) return oci_error("DIGEST_INVALID");
    bool repo_found = false, linked = false;
    db.read([&](state::Connection& c) {
      auto repo = repository(c, who, r.name);
      if (!repo) return;
      repo_found = true;
      linked = state::EcrStore(c, who.scope).blob_linked(repo->id, r.ref);
    });
    if (!repo_found) return name_unknown(r.name, who);
    auto size = linked ? blobs.size(r.ref) : std::nullopt;
    if (!size) return oci_error("BLOB_UNKNOWN", r.ref);
    HttpResponse resp = base_response(200);
    resp.content_type = "application/octet-stream";
    resp.headers.emplace_back("Docker-Content-Digest", r.ref);
    resp.headers.emplace_back("Accept-Ranges", "bytes");
    resp.headers.emplace_back("ETag", "\"" + r.ref + "\"");
    std::uint64_t from = 0, to = *size ? *size - 1 : 0;
    if (!req.range.empty() && req.range.starts_with("bytes=")) {
      std::string_view spec = std::string_view(req.range).substr(6);
      auto dash = spec.find('-');
      bool ok = dash != std::string_view::npos;
      std::uint64_t a = 0, b = to;
      if (ok && dash > 0) ok = std::from_chars(spec.data(), spec.data() + dash, a).ec == std::errc();
      if (ok && dash + 1 < spec.size())
        ok = std::from_chars(spec.data() + dash + 1, spec.data() + spec.size(), b).ec == std::errc();
      if (!ok || a > b || a >= *size) {
        HttpResponse bad = base_response(416);
        bad.headers.emplace_back("Content-Range", "bytes */" + std::to_string(*size));
        return bad;
      }
      from = a;
      to = std::min(b, *size - 1);
      resp.status = 206;
      resp.headers.emplace_back("Content-Range",
                                "bytes " + std::to_string(from) + "-" + std::to_string(to) + "/" + std::to_string(*size));
    }
    std::uint64_t length = *size ? to - from + 1 : 0;
    if (req.method == "HEAD") {
      resp.head_length = length;
      return resp;
    }
    if (length == 0) return resp;
    resp.file_path = blobs.blob_path(r.ref);
    resp.file_offset = from;
    resp.file_length = length;
    return resp;
  }

  HttpResponse delete_blob(const Caller& who, const Route& r) {
    bool repo_found = false, linked = false;
    db.write([&](state::Connection& c) {
      auto repo = repository(c, who, r.name);
      if (!repo) return false;
      repo_found = true;
      state::EcrStore store(c, who.scope);
      linked = store.blob_linked(repo->id, r.ref);
      if (!linked) return false;
      store.unlink_unreferenced(repo->id, {r.ref});
      registry::collect_garbage(store, blobs);
      return true;
    });
    if (!repo_found) return name_unknown(r.name, who);
    if (!linked) return oci_error("BLOB_UNKNOWN", r.ref);
    return base_response(202);
  }

  // --- uploads -------------------------------------------------------------------------------

  std::string repo_key(const Caller& who, std::string_view name) const {
    return who.scope.account + "/" + who.scope.region + "/" + std::string(name);
  }

  HttpResponse upload_status(int status, std::string_view name, std::string_view id, std::uint64_t size) const {
    HttpResponse resp = base_response(status);
    resp.headers.emplace_back("Location", "/v2/" + std::string(name) + "/blobs/uploads/" + std::string(id));
    resp.headers.emplace_back("Range", "0-" + std::to_string(size ? size - 1 : 0));
    resp.headers.emplace_back("Docker-Upload-UUID", std::string(id));
    return resp;
  }

  // Commits a finished upload into the repository, or answers why not.
  HttpResponse complete_upload(const Caller& who, std::string_view name, std::string_view id, std::string_view digest) {
    if (!registry::is_digest_syntax(digest)) {
      uploads.cancel(id);
      return oci_error("DIGEST_INVALID", digest);
    }
    registry::Uploads::Finished done;
    bool repo_found = false;
    // Inside the write lock: the rename into the blob store and its database record cannot
    // interleave with garbage collection of the same digest.
    db.write([&](state::Connection& c) {
      auto repo = repository(c, who, name);
      done = uploads.finish(id, digest);
      if (!repo || done.status != registry::Uploads::Status::Ok) return false;
      repo_found = true;
      state::EcrStore store(c, who.scope);
      auto now = clock.now_millis();
      store.add_blob(done.actual_digest, static_cast<std::int64_t>(done.size), now);
      store.link_blob(repo->id, done.actual_digest, now);
      return true;
    });
    using S = registry::Uploads::Status;
    if (done.status == S::Unknown) return oci_error("BLOB_UPLOAD_UNKNOWN");
    if (done.status == S::DigestMismatch) return oci_error("DIGEST_INVALID", "computed " + done.actual_digest);
    if (done.status != S::Ok) return oci_error("BLOB_UPLOAD_INVALID", "could not store the upload");
    if (!repo_found) return name_unknown(name, who);
    HttpResponse resp = base_response(201);
    resp.headers.emplace_back("Location", "/v2/" + std::string(name) + "/blobs/" + std::string(digest));
    resp.headers.emplace_back("Docker-Content-Digest", std::string(digest));
    return resp;
  }

  HttpResponse start_upload(const HttpRequest& req, const Caller& who, const Route& r) {
    auto mount = query_param(req.target, "mount");
    auto from = query_param(req.target, "from");
    bool repo_found = false, mounted = false;
    db.write([&](state::Connection& c) {
      auto repo = repository(c, who, r.name);
      if (!repo) return false;
      repo_found = true;
      if (!mount || !from) return false;
      state::EcrStore store(c, who.scope);
      auto source = store.repository(*from);
      if (!source || !store.blob_linked(source->id, *mount) || !blobs.size(*mount)) return false;
      store.link_blob(repo->id, *mount, clock.now_millis());
      return mounted = true;
    });
    if (!repo_found) return name_unknown(r.name, who);
    if (mounted) {
      HttpResponse resp = base_response(201);
      resp.headers.emplace_back("Location", "/v2/" + r.name + "/blobs/" + *mount);
      resp.headers.emplace_back("Docker-Content-Digest", *mount);
      return resp;
    }
    auto id = uploads.start(repo_key(who, r.name));
    if (!id) return oci_error("TOOMANYREQUESTS", "too many uploads in progress for this repository");
    return upload_status(202, r.name, *id, 0);
  }

  HttpResponse upload_info(const HttpRequest& req, const Caller& who, const Route& r) {
    auto owner = uploads.repository(r.ref);
    if (!owner || *owner != repo_key(who, r.name)) return oci_error("BLOB_UPLOAD_UNKNOWN");
    if (req.method == "DELETE") {
      uploads.cancel(r.ref);
      return base_response(204);
    }
    return upload_status(204, r.name, r.ref, uploads.size(r.ref).value_or(0));
  }

  HttpResponse route(const HttpRequest& req) {
    auto who = authenticate(req);
    if (!who) return unauthorized();
    Route r = parse_route(path_of(req.target));
    const std::string& m = req.method;
    if (r.kind == Route::Kind::Base) {
      HttpResponse resp = base_response(200);
      resp.body = "{}";
      return resp;
    }
    if (r.kind == Route::Kind::Catalog) return catalog(req, *who);
    if (r.kind == Route::Kind::Unknown) return oci_error("UNSUPPORTED", {}, "unknown registry path");
    if (!valid_repository_name(r.name)) return oci_error("NAME_INVALID", r.name);
    switch (r.kind) {
      case Route::Kind::Tags:
        if (m == "GET") return tags(req, *who, r);
        break;
      case Route::Kind::Manifest:
        if (m == "GET" || m == "HEAD") return get_manifest(req, *who, r);
        if (m == "PUT") return put_manifest(req, *who, r);
        if (m == "DELETE") return delete_manifest(*who, r);
        break;
      case Route::Kind::Blob:
        if (m == "GET" || m == "HEAD") return get_blob(req, *who, r);
        if (m == "DELETE") return delete_blob(*who, r);
        break;
      case Route::Kind::UploadStart:
        if (m == "POST") return start_upload(req, *who, r);
        break;
      case Route::Kind::Upload:
        if (m == "GET" || m == "DELETE") return upload_info(req, *who, r);
        break;
      default: break;
    }
    return oci_error("UNSUPPORTED", {}, "method " + m + " not allowed here");
  }

  HttpResponse tags(const HttpRequest& req, const Caller& who, const Route& r) {
    auto n = query_param(req.target, "n");
    auto last = query_param(req.target, "last").value_or("");
    int limit = n ? std::max(0, std::atoi(n->c_str())) : 1000;
    std::vector<std::string> tags;
    bool found = false;
    db.read([&](state::Connection& c) {
      auto repo = repository(c, who, r.name);
      if (!repo) return;
      found = true;
      for (auto& img : state::EcrStore(c, who.scope).images(repo->id))
        for (auto& t : img.tags) tags.push_back(t);
    });
    if (!found) return name_unknown(r.name, who);
    std::sort(tags.begin(), tags.end());
    return listing(req, "/v2/" + r.name + "/tags/list", "tags", tags, last, limit, r.name);
  }

  HttpResponse catalog(const HttpRequest& req, const Caller& who) {
    auto n = query_param(req.target, "n");
    auto last = query_param(req.target, "last").value_or("");
    int limit = n ? std::max(0, std::atoi(n->c_str())) : 1000;
    std::vector<std::string> names;
    db.read([&](state::Connection& c) { names = state::EcrStore(c, who.scope).repository_names(last, limit + 1); });
    return listing(req, "/v2/_catalog", "repositories", names, "", limit, {});
  }

  // A paginated list with the spec's Link header to the next page.
  HttpResponse listing(const HttpRequest& req, const std::string& path, const char* key, std::vector<std::string> items,
                       const std::string& last, int limit, std::string_view name) {
    if (!last.empty()) std::erase_if(items, [&](const std::string& s) { return s <= last; });
    bool more = static_cast<int>(items.size()) > limit;
    if (more) items.resize(static_cast<std::size_t>(limit));
    HttpResponse resp = base_response(200);
    rapidjson::StringBuffer buf;
    json::Writer w(buf);
    w.StartObject();
    if (!name.empty()) json::kv(w, "name", name);
    w.Key(key);
    w.StartArray();
    for (const auto& s : items) json::str(w, s);
    w.EndArray();
    w.EndObject();
    resp.body.assign(buf.GetString(), buf.GetSize());
    if (more && !items.empty())
      resp.headers.emplace_back("Link", "<" + path + "?n=" + std::to_string(limit) + "&last=" + items.back() +
                                            ">; rel=\"next\"");
    return resp;
  }
};

namespace {
// Discards a body and answers with a response decided up front (errors found at header time).
class RefusingSink final : public BodySink {
 public:
  explicit RefusingSink(HttpResponse r) : response_(std::move(r)) {}
  bool write(const char*, std::size_t) override { return true; }
  HttpResponse finish(bool) override { return std::move(response_); }

 private:
  HttpResponse response_;
};

// Streams an upload's bytes into its session; `digest` set means the request also completes it.
class UploadSink final : public BodySink {
 public:
  UploadSink(RegistryRoutes::Impl& impl, RegistryRoutes::Impl::Caller who, std::string name, std::string id,
             std::optional<std::uint64_t> offset, std::optional<std::string> digest)
      : impl_(impl), who_(std::move(who)), name_(std::move(name)), id_(std::move(id)), offset_(offset),
        digest_(std::move(digest)) {}

  bool write(const char* data, std::size_t n) override {
    status_ = impl_.uploads.append(id_, data, n, first_ ? offset_ : std::nullopt);
    first_ = false;
    return status_ == registry::Uploads::Status::Ok;
  }

  HttpResponse finish(bool complete) override {
    using S = registry::Uploads::Status;
    if (first_ && offset_) status_ = impl_.uploads.append(id_, nullptr, 0, offset_);
    if (!complete || status_ != S::Ok) {
      if (status_ == S::BadRange) return oci_error("RANGE_INVALID");
      impl_.uploads.cancel(id_);
      if (status_ == S::Unknown) return oci_error("BLOB_UPLOAD_UNKNOWN");
      return oci_error("BLOB_UPLOAD_INVALID", complete ? "could not write the upload" : "upload interrupted");
    }
    if (digest_) return impl_.complete_upload(who_, name_, id_, *digest_);
    return impl_.upload_status(202, name_, id_, impl_.uploads.size(id_).value_or(0));
  }

 private:
  RegistryRoutes::Impl& impl_;
  RegistryRoutes::Impl::Caller who_;
  std::string name_, id_;
  std::optional<std::uint64_t> offset_;
  std::optional<std::string> digest_;
  registry::Uploads::Status status_ = registry::Uploads::Status::Ok;
  bool first_ = true;
};
}  // namespace

RegistryRoutes::RegistryRoutes(state::Database& db, registry::BlobStore& blobs, registry::Uploads& uploads,
                               const registry::TokenIssuer& tokens, const Clock& clock, const Config& config)
    : impl_(std::make_unique<Impl>(Impl{db, blobs, uploads, tokens, clock, config, {}})) {}

void RegistryRoutes::set_principal_check(std::function<bool(std::string_view)> check) {
  impl_->principal_ok = std::move(check);
}

RegistryRoutes::~RegistryRoutes() = default;

bool RegistryRoutes::handles(std::string_view path) { return path == "/v2" || path.starts_with("/v2/"); }

std::unique_ptr<BodySink> RegistryRoutes::sink_for(const HttpRequest& head) {
  Route r = parse_route(path_of(head.target));
  bool upload = (r.kind == Route::Kind::Upload && (head.method == "PATCH" || head.method == "PUT")) ||
                (r.kind == Route::Kind::UploadStart && head.method == "POST" &&
                 query_param(head.target, "digest").has_value());
  if (!upload) return nullptr;
  auto who = impl_->authenticate(head);
  if (!who) return std::make_unique<RefusingSink>(impl_->unauthorized());
  if (!valid_repository_name(r.name)) return std::make_unique<RefusingSink>(oci_error("NAME_INVALID", r.name));
  std::optional<std::string> digest = query_param(head.target, "digest");
  std::string id = r.ref;
  if (r.kind == Route::Kind::UploadStart) {
    bool found = false;
    impl_->db.read([&](state::Connection& c) { found = impl_->repository(c, *who, r.name).has_value(); });
    if (!found) return std::make_unique<RefusingSink>(impl_->name_unknown(r.name, *who));
    auto started = impl_->uploads.start(impl_->repo_key(*who, r.name));
    if (!started)
      return std::make_unique<RefusingSink>(oci_error("TOOMANYREQUESTS", "too many uploads in progress for this repository"));
    id = *started;
  } else {
    auto owner = impl_->uploads.repository(id);
    if (!owner || *owner != impl_->repo_key(*who, r.name))
      return std::make_unique<RefusingSink>(oci_error("BLOB_UPLOAD_UNKNOWN"));
    if (head.method == "PUT" && !digest)
      return std::make_unique<RefusingSink>(oci_error("DIGEST_INVALID", "the digest query parameter is required"));
  }
  std::optional<std::uint64_t> offset;
  if (!head.content_range.empty()) {
    std::string_view cr = head.content_range;
    if (cr.starts_with("bytes ")) cr.remove_prefix(6);
    std::uint64_t start = 0;
    if (std::from_chars(cr.data(), cr.data() + cr.size(), start).ec == std::errc()) offset = start;
  }
  return std::make_unique<UploadSink>(*impl_, *who, r.name, id, offset, digest);
}

HttpResponse RegistryRoutes::route(const HttpRequest& req) { return impl_->route(req); }

}  // namespace berth::api
