#pragma once
// The golden model's share of an image run, computed on worker threads ahead of the SoC: for each test image,
// its quantized input and the golden int8 outputs of every layer, which the SoC's program then compares with
// what the SoC left in DRAM. The SystemC simulation runs on one thread; the golden model is plain C++ and
// runs beside it, so a run uses two cores. Every image's outputs are the same whichever thread computes them.
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "sw/golden/network.h"

namespace minconv::platform {

class GoldenAhead {
 public:
  using Outputs = std::vector<golden::LayerOutput>;

  // `model` and `images` must outlive this object. workers = 0: take() computes each image itself.
  // The workers run at most `window` images ahead of the last one taken.
  GoldenAhead(const golden::QuantModel& model, const std::vector<golden::TensorF>& images, unsigned workers,
              std::size_t window = 8);
  ~GoldenAhead();  // stops the workers (after the image each is computing) and joins them
  GoldenAhead(const GoldenAhead&) = delete;
  GoldenAhead& operator=(const GoldenAhead&) = delete;

  // The quantized input of image k (computed on the spot: the SoC needs it before it starts).
  golden::Tensor8 input(std::size_t k) const;
  // The golden outputs of image k; images are taken in increasing order. Waits for a worker if needed;
  // rethrows what the golden model threw for that image.
  Outputs take(std::size_t k);

 private:
  Outputs compute(std::size_t k) const;
  void work();

  const golden::QuantModel& model_;
  const std::vector<golden::TensorF>& images_;
  const std::size_t window_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t next_ = 0;   // the next image a worker claims
  std::size_t taken_ = 0;  // images taken so far
  bool stop_ = false;
  std::map<std::size_t, Outputs> ready_;
  std::map<std::size_t, std::exception_ptr> failed_;
  std::vector<std::thread> workers_;
};

}  // namespace minconv::platform
