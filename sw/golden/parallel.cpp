#include "sw/golden/parallel.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace minconv::golden {

void parallel_for(std::size_t n, int threads, const std::function<void(std::size_t, std::size_t)>& fn) {
  const std::size_t parts = std::min<std::size_t>(n, threads < 1 ? 1 : static_cast<std::size_t>(threads));
  if (parts <= 1) {
    fn(0, n);
    return;
  }
  std::vector<std::exception_ptr> errors(parts);
  const auto run = [&](std::size_t p) {
    try {
      fn(n * p / parts, n * (p + 1) / parts);
    } catch (...) {
      errors[p] = std::current_exception();
    }
  };
  std::vector<std::thread> others;
  for (std::size_t p = 1; p < parts; ++p) others.emplace_back(run, p);
  run(0);
  for (std::thread& t : others) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace minconv::golden
