#pragma once
// Minibatch training of a TrainNetwork: per-epoch shuffling (seeded), an optimizer, a learning-rate
// schedule, BN running statistics, optional progress reports, multi-threaded passes; and evaluation.
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "sw/train/backprop.h"
#include "sw/train/optimizer.h"

namespace minconv::train {

struct TrainerOptions {
  OptimizerOptions optimizer;
  Schedule schedule;
  int batch = 64;
  uint64_t seed = 1;         // shuffling
  int threads = 2;           // passes split over this many threads (results depend on it, deterministically)
  double bn_momentum = 0.1;  // running = (1 - m)·running + m·batch (variance: unbiased)
  int shift =
      0;  // augmentation: each training image moved by a random (dy, dx) in [-shift, shift]^2 (zero fill)
  bool mu_w_gradient = false;  // MinConv: differentiate through mu_w too (PassOptions::mu_w_gradient)
};

struct EpochResult {
  double loss = 0.0;      // mean training loss over the epoch
  double accuracy = 0.0;  // training accuracy over the epoch (with the weights of each step), in [0, 1]
  double seconds = 0.0;
};

// Reported every few batches during an epoch.
struct Progress {
  std::size_t done = 0, total = 0;    // images of this epoch
  double loss = 0.0, accuracy = 0.0;  // so far in this epoch
  double lr = 0.0;
  double seconds = 0.0;  // since the epoch started
};
using ProgressFn = std::function<void(const Progress&)>;

class Trainer {
 public:
  Trainer(TrainNetwork& net, golden::FloatMode mode, const TrainerOptions& options);
  // One update on a batch at the given learning rate; returns the batch's loss and accuracy before it.
  BatchResult step(const std::vector<const golden::TensorF*>& images, const std::vector<int>& labels,
                   double lr);
  // One pass over the data in a fresh random order, in batches of options.batch (the last may be smaller),
  // the learning rate following the schedule from epoch `epoch_index` (0-based).
  EpochResult epoch(const std::vector<golden::TensorF>& images, const std::vector<uint8_t>& labels,
                    int epoch_index, const ProgressFn& progress = {});
  // MinConv: use these mu_x (one per layer) instead of each batch's own; empty: the batch's.
  void set_fixed_mu_x(std::vector<double> mu_x) { fixed_.mu_x = std::move(mu_x); }
  ThreadPool& pool() { return *pool_; }

 private:
  TrainNetwork& net_;
  golden::FloatMode mode_;
  TrainerOptions options_;
  std::unique_ptr<ThreadPool> pool_;
  Optimizer optimizer_;
  std::mt19937_64 rng_;
  Gradients grads_;
  MinConvConstants fixed_;
};

// x moved down by dy and right by dx rows/columns; uncovered pixels are 0.
golden::TensorF shift_image(const golden::TensorF& x, int dy, int dx);

struct EvalResult {
  double loss = 0.0, accuracy = 0.0;
};

// Loss and accuracy of `net` (BN with running statistics) over a data set, in chunks of 500 images.
// kMinConv uses `mu_x` (one per layer) when given, else each chunk's own mean |x| (pass 1-image chunks
// via per_image to match golden::run_float without calibration).
EvalResult evaluate(const TrainNetwork& net, const std::vector<golden::TensorF>& images,
                    const std::vector<uint8_t>& labels, golden::FloatMode mode,
                    const std::vector<double>* mu_x = nullptr, ThreadPool* pool = nullptr,
                    bool per_image = false);

// mu_|x| of every layer over `images` (BN with running statistics), as golden::calibrate measures it
// in kMinConv mode (each layer computed with the mu_x of the layers before it).
std::vector<double> calibrate_mu_x(const TrainNetwork& net, const std::vector<golden::TensorF>& images,
                                   ThreadPool* pool = nullptr);

// Fraction (in [0, 1]) of images classified as their label by the float network. kMinConv uses mu_x from
// `calib` (layers[i].mean_abs_in) when given, else the mean |x| of each image's own layer input (as
// run_float does).
double accuracy(const golden::FloatNetwork& net, const std::vector<golden::TensorF>& images,
                const std::vector<uint8_t>& labels, golden::FloatMode mode,
                const golden::Calibration* calib = nullptr);

}  // namespace minconv::train
