#pragma once
// Training of float networks: minibatch SGD with momentum and softmax cross-entropy, forward and backward
// passes written by hand for conv, fc, maxpool, avgpool and ReLU (HWC tensors), in two modes:
//
//   FloatMode::kStandard  ordinary products.
//   FloatMode::kMinConv   the MinConv operator of DESIGN.md §2, for fine-tuning a trained standard network
//                         (transfer learning). Per conv/fc layer and step:
//                           mu_x     = mean |x| over the whole batch input of the layer,
//                           mu_w,o   = mean |w| of filter o (the unclipped weights),
//                           w_c      = clip(w, ±2 mu_w,o),  s_o = mu_x / mu_w,o,  w' = s_o · w_c,
//                           y_o      = b_o + Σ mu_w,o · sgn(x)·sgn(w')·min(|x|, |w'|).
//                         Input clipping at ±2 mu_x is implied: |w'| <= 2 mu_x, so clipping x there never
//                         changes min(|x|, |w'|).
//
// Backward of the MinConv term f(x, w) = mu_w · sgn(x)·sgn(w')·min(|x|, |w'|), with mu_x and mu_w held
// constant within a step (no gradient flows through the statistics):
//   |x| <  |w'|:  f = mu_w · sgn(w') · x          df/dx = mu_w · sgn(w'),   df/dw = 0
//   |x| >= |w'|:  f = mu_w · sgn(x) · s · w_c     df/dx = 0,                df/dw = mu_x · sgn(x) · [|w| < 2
//   mu_w]
// This is the exact derivative wherever the operator is differentiable (away from |x| = |w'|, x = 0 and
// |w| = 2 mu_w) and a one-sided subgradient on those sets. Clipped weights (|w| >= 2 mu_w) get no gradient
// from the loss, only weight decay.
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "sw/golden/network.h"

namespace minconv::train {

// The statistics of the MinConv operator, one entry per layer (pool entries unused).
struct MinConvConstants {
  std::vector<double> mu_x;               // empty: mean |x| over the batch input of each layer
  std::vector<std::vector<double>> mu_w;  // empty: mean |w| of each filter of the current weights
};

// Gradients of the mean batch loss; per layer, the same sizes as the layer's weights and bias (empty for
// pools).
struct Gradients {
  std::vector<std::vector<float>> weights;
  std::vector<std::vector<float>> bias;
};

struct BatchResult {
  double loss = 0.0;  // mean softmax cross-entropy over the batch
  int correct = 0;    // images whose argmax logit (first on ties) is the label
};

// Forward pass (and backward when `grads` is not null) over a batch. The last layer's output, flattened,
// is the logit vector; labels must be in [0, logit count). In kMinConv mode, `fixed` (optional) supplies
// mu_x and/or mu_w instead of computing them; `used` (optional) receives the values used (both filled).
// Throws ModelError on an inconsistent network, std::invalid_argument on bad images or labels.
BatchResult loss_and_gradients(const golden::FloatNetwork& net,
                               const std::vector<const golden::TensorF*>& images,
                               const std::vector<int>& labels, golden::FloatMode mode, Gradients* grads,
                               const MinConvConstants* fixed = nullptr, MinConvConstants* used = nullptr);

struct SgdOptions {
  double lr = 0.01;
  double momentum = 0.9;
  double weight_decay = 0.0;  // L2 on weights (not biases)
  int batch = 32;
  uint64_t seed = 1;  // shuffling
};

struct EpochResult {
  double loss = 0.0;      // mean training loss over the epoch
  double accuracy = 0.0;  // training accuracy over the epoch (with the weights of each step), in [0, 1]
  double seconds = 0.0;
};

// Minibatch SGD with momentum: v = momentum · v - lr · (g + weight_decay · w); w += v.
class SgdTrainer {
 public:
  SgdTrainer(golden::FloatNetwork& net, golden::FloatMode mode, const SgdOptions& options);
  // One update on a batch; returns the batch's loss and accuracy before the update.
  BatchResult step(const std::vector<const golden::TensorF*>& images, const std::vector<int>& labels);
  // One pass over the data in a fresh random order, in batches of options.batch (the last may be smaller).
  EpochResult epoch(const std::vector<golden::TensorF>& images, const std::vector<uint8_t>& labels);
  void set_lr(double lr) { options_.lr = lr; }
  const SgdOptions& options() const { return options_; }

 private:
  golden::FloatNetwork& net_;
  golden::FloatMode mode_;
  SgdOptions options_;
  std::mt19937_64 rng_;
  Gradients grads_;
  Gradients velocity_;
};

// Starting point for MinConv fine-tuning (transfer learning). The MinConv operator tracks the product
// closely in shape (correlation ~0.8-0.95 per layer) but not in scale: its outputs are several times
// smaller, and over a deep network the signal sinks below the transferred biases. Scaling filter o by g
// scales its MinConv output by exactly g (w' = s·clip(w) is invariant, mu_w,o scales by g), so this fits,
// layer by layer and per output channel, y_ref ≈ g_o · m_o + c_o by least squares over `images`, where
// y_ref is the reference network's (standard mode) pre-activation and m_o the MinConv output (no bias) of
// `net` on its own MinConv-path input (mu_x = mean over the images), then sets w_o *= g_o, b_o = c_o.
// Channels with no usable fit (g_o <= 0 or constant m_o) keep their weights and the reference bias.
// `net` must have the structure of `reference` (usually it is a copy). Throws ModelError otherwise.
void match_minconv_gains(const golden::FloatNetwork& reference, golden::FloatNetwork& net,
                         const std::vector<golden::TensorF>& images);

// Fraction (in [0, 1]) of images classified as their label by the float network. kMinConv uses mu_x from
// `calib` (layers[i].mean_abs_in) when given, else the mean |x| of each image's own layer input (as
// run_float does).
double accuracy(const golden::FloatNetwork& net, const std::vector<golden::TensorF>& images,
                const std::vector<uint8_t>& labels, golden::FloatMode mode,
                const golden::Calibration* calib = nullptr);

}  // namespace minconv::train
