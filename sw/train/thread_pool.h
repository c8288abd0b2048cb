#pragma once
// A fixed pool of worker threads for the training passes. run(fn) calls fn(t) once for every task
// t in [0, size()), task 0 on the calling thread, and returns when all have finished. Callers split work
// into size() contiguous parts and combine partial results in task order, so a given thread count gives
// bit-identical results run after run.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace minconv::train {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads >= 1 (1: no worker threads)
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  void run(const std::function<void(int task)>& fn);

 private:
  void work(int task);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(int)>* job_ = nullptr;
  unsigned long generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
};

// The part [begin, end) of n items that task t of `tasks` handles (contiguous, in order).
inline std::size_t part_begin(std::size_t n, int t, int tasks) {
  return n * static_cast<std::size_t>(t) / static_cast<std::size_t>(tasks);
}

}  // namespace minconv::train
