// The pause process that holds a task's network namespace, as on Fargate: it does nothing
// until told to stop. Built static so it runs in an image holding only this file.
#include <csignal>
#include <unistd.h>

namespace {
void stop(int) { _exit(0); }
}  // namespace

int main() {
  std::signal(SIGTERM, stop);
  std::signal(SIGINT, stop);
  for (;;) pause();
}
