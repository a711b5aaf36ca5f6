#pragma once
// Warm network namespaces for awsvpc tasks: pause containers created, joined to the metadata
// network and started ahead of RunTask, as Fargate keeps capacity ready. Starting one costs
// what a whole `docker run` does (its veth, its address, the second network), so taking a warm
// one leaves a task only its own containers to create.
//
// The pool fills only once an awsvpc task has asked for a namespace, so a berth that never runs
// one keeps no idle containers. Warm containers are named berth-pool-*; a taken one is renamed
// after its task, which is how a restarted berth tells the two apart: the warm ones a killed
// berth left are removed by the engine's start sweep, taken ones go with their task.
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/docker_client.h"

namespace berth::runtime {

struct NamespacePoolOptions {
  std::string network;           // the tasks' network: the namespace's address is on it
  std::string metadata_network;  // where berth serves task metadata and credentials
  std::string instance;          // labels this berth's containers
  int size = 2;                  // warm namespaces kept once tasks run; 0 turns the pool off
};

class NamespacePool {
 public:
  NamespacePool(DockerClient& docker, NamespacePoolOptions options);
  ~NamespacePool();

  void start();  // keeps the pool filled (once an awsvpc task has asked)
  void stop();   // removes the warm containers (a taken one belongs to its task)

  // A running pause container on both networks, named `name`: a warm one when there is one,
  // else one made now. Blocks on Docker.
  DockerResult<std::string> acquire(const std::string& name);
  // Forgets the warm containers (they were removed with all of this berth's containers).
  void forget();

 private:
  void fill();
  DockerResult<std::string> make(const std::string& name);
  std::string take();

  DockerClient& docker_;
  NamespacePoolOptions opt_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> warm_;
  bool wanted_ = false;  // an awsvpc task has asked: keep the pool full from now on
  bool stopping_ = false;
  std::thread filler_;
};

}  // namespace berth::runtime
