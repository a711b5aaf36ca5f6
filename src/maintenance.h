#pragma once
// Periodic housekeeping on a thread of its own: each job runs at its interval until stop().
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace berth {

class Maintenance {
 public:
  ~Maintenance() { stop(); }
  // Jobs are added before start().
  void add(std::string name, std::chrono::seconds every, std::function<void()> job);
  void start();
  void stop();

 private:
  struct Job {
    std::string name;
    std::chrono::seconds every;
    std::function<void()> run;
    std::chrono::steady_clock::time_point next;
  };
  std::vector<Job> jobs_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth
