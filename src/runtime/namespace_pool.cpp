#include "runtime/namespace_pool.h"

#include <spdlog/spdlog.h>

#include "common/ids.h"
#include "runtime/container_spec.h"
#include "runtime/pause_image.h"

namespace berth::runtime {
namespace {
constexpr const char* kWarmPrefix = "berth-pool-";
constexpr auto kRetry = std::chrono::seconds(2);
}  // namespace

NamespacePool::NamespacePool(DockerClient& docker, NamespacePoolOptions options)
    : docker_(docker), opt_(std::move(options)) {}

NamespacePool::~NamespacePool() { stop(); }

void NamespacePool::start() {
  if (opt_.size > 0) filler_ = std::thread([this] { fill(); });
}

void NamespacePool::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (filler_.joinable()) filler_.join();
  std::vector<std::string> warm;
  {
    std::lock_guard lock(mu_);
    warm.swap(warm_);
  }
  for (const auto& id : warm) docker_.remove_container(id, true);
}

void NamespacePool::forget() {
  std::lock_guard lock(mu_);
  warm_.clear();
  wanted_ = false;
}

std::string NamespacePool::take() {
  std::lock_guard lock(mu_);
  wanted_ = true;
  std::string id;
  if (!warm_.empty()) {
    id = std::move(warm_.back());
    warm_.pop_back();
  }
  cv_.notify_all();  // the filler makes the next one
  return id;
}

DockerResult<std::string> NamespacePool::acquire(const std::string& name) {
  for (std::string id = take(); !id.empty(); id = take()) {
    auto renamed = docker_.rename_container(id, name);
    if (auto* e = std::get_if<DockerError>(&renamed); e && e->http_status == 409) {
      // A namespace of this task made before a crash, never recorded: replace it.
      docker_.remove_container(name, true);
      renamed = docker_.rename_container(id, name);
    }
    // Started again in case it was stopped outside berth (304 when it runs, the usual case).
    if (std::holds_alternative<Ok>(renamed) && std::holds_alternative<Ok>(docker_.start_container(id))) return id;
    docker_.remove_container(id, true);  // gone or broken: try the next
  }
  auto made = make(name);
  if (auto* e = std::get_if<DockerError>(&made); e && e->http_status == 409) {
    docker_.remove_container(name, true);
    made = make(name);
  }
  return made;
}

DockerResult<std::string> NamespacePool::make(const std::string& name) {
  auto image = ensure_pause_image(docker_);
  if (auto* e = std::get_if<DockerError>(&image)) return *e;
  auto created = docker_.create_container(name, pause_create_body(pause_image(), opt_.network, opt_.instance));
  if (auto* e = std::get_if<DockerError>(&created)) return *e;
  const std::string& id = std::get<std::string>(created);
  // Docker takes one network at create; the metadata network joins before the start.
  DockerResult<Ok> step = docker_.connect_network(opt_.metadata_network, id);
  if (std::holds_alternative<Ok>(step)) step = docker_.start_container(id);
  if (auto* e = std::get_if<DockerError>(&step)) {
    docker_.remove_container(id, true);
    return *e;
  }
  return id;
}

void NamespacePool::fill() {
  // What a killed berth left warm was removed by the engine's start sweep: it starts empty.
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || (wanted_ && static_cast<int>(warm_.size()) < opt_.size); });
    if (stopping_) return;
    lock.unlock();
    auto made = make(kWarmPrefix + ids::hex32().substr(0, 12));
    lock.lock();
    if (auto* id = std::get_if<std::string>(&made)) {
      warm_.push_back(*id);
    } else {
      spdlog::debug("warm task namespace: {}", std::get<DockerError>(made).message);
      if (cv_.wait_for(lock, kRetry, [this] { return stopping_; })) return;
    }
  }
}

}  // namespace berth::runtime
