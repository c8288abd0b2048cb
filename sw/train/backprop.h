#pragma once
// Forward and backward passes over a batch, written by hand for conv, fc, maxpool, avgpool, ReLU and
// batch normalisation (HWC tensors), with softmax cross-entropy, in two modes:
//
//   FloatMode::kStandard  ordinary products.
//   FloatMode::kMinConv   the MinConv operator of DESIGN.md §2. Per conv/fc layer and step:
//                           mu_x     = mean |x| over the whole batch input of the layer (or a fixed value),
//                           mu_w,o   = mean |w| of filter o (the unclipped weights),
//                           w_c      = clip(w, ±2 mu_w,o),  s_o = mu_x / mu_w,o,  w' = s_o · w_c,
//                           z_o      = b_o + Σ mu_w,o · sgn(x)·sgn(w')·min(|x|, |w'|).
//                         Input clipping at ±2 mu_x is implied: |w'| <= 2 mu_x, so clipping x there never
//                         changes min(|x|, |w'|) (and the gradient below is that of the clipped input).
//
// Backward of the MinConv term f(x, w) = mu_w · sgn(x)·sgn(w')·min(|x|, |w'|), with mu_x and mu_w held
// constant within a step (no gradient flows through the statistics):
//   |x| <  |w'|:  f = mu_w · sgn(w') · x          df/dx = mu_w · sgn(w'),   df/dw = 0
//   |x| >= |w'|:  f = mu_w · sgn(x) · s · w_c     df/dx = 0,  df/dw = mu_w · s · sgn(x) · [|w| < 2 mu_w]
//                                                                  = mu_x · sgn(x) · [|w| < 2 mu_w]
// This is the exact derivative wherever the operator is differentiable (away from |x| = |w'|, x = 0 and
// |w| = 2 mu_w) and a one-sided subgradient on those sets. Clipped weights (|w| >= 2 mu_w) get no gradient
// from the loss, only weight decay. Inputs beyond the clip (|x| >= 2 mu_x >= |w'|) get none either.
//
// Optionally (PassOptions::mu_w_gradient) the gradient also flows through mu_w,o = mean_k |w_ok| (mu_x
// stays constant). Per term, holding w: x-side f = mu_w·sgn(w')·x, so df/dmu_w = sgn(w')·x; w-side and
// unclipped f = mu_x·sgn(x)·w, so df/dmu_w = 0; w-side and clipped f = 2·mu_x·mu_w·sgn(x)·sgn(w), so
// df/dmu_w = 2·mu_x·sgn(x)·sgn(w). Then dL/dw_ok gains dL/dmu_w,o · sgn(w_ok) / K. This lets every weight
// of a filter move the filter's gain, which the held-constant rule gives only to w-side weights.
//
// Batch normalisation (batchnorm.h), training mode: over the M = batch x positions values of channel o,
// x̂ = (z - mean) / sqrt(var + eps), y = gamma·x̂ + beta, and the gradient flows through mean and var:
//   dbeta = Σ dy,  dgamma = Σ dy·x̂,  dz = gamma / sqrt(var + eps) · (dy - dbeta/M - x̂·dgamma/M).
// Inference mode uses the running mean/var: dz = gamma / sqrt(var + eps) · dy.
//
// With a ThreadPool the batch is split into size() contiguous parts, one per task; every sum over the
// batch (mu_x, BN statistics, gradients, loss) is formed per part and the parts are added in task order,
// so the result is bit-identical for a given thread count (and differs across thread counts only by
// rounding).
#include <vector>

#include "sw/golden/network.h"
#include "sw/train/batchnorm.h"
#include "sw/train/thread_pool.h"

namespace minconv::train {

// The statistics of the MinConv operator, one entry per layer (pool entries unused).
struct MinConvConstants {
  std::vector<double> mu_x;               // empty: mean |x| over the batch input of each layer
  std::vector<std::vector<double>> mu_w;  // empty: mean |w| of each filter of the current weights
};

// Gradients of the mean batch loss; per layer, the same sizes as the layer's weights, bias and BN
// parameters (empty where the layer has none).
struct Gradients {
  std::vector<std::vector<float>> weights, bias, gamma, beta;
};

// Per layer, the batch statistics BN normalised with (training mode): mean and biased variance over
// `count` values per channel.
struct BnBatchStats {
  std::vector<std::vector<double>> mean, var;
  std::vector<std::size_t> count;
};

struct BatchResult {
  double loss = 0.0;  // mean softmax cross-entropy over the batch
  int correct = 0;    // images whose argmax logit (first on ties) is the label
};

struct PassOptions {
  const MinConvConstants* fixed = nullptr;  // kMinConv: mu_x and/or mu_w to use instead of computing them
  MinConvConstants* used = nullptr;         // kMinConv: receives the values used (both filled)
  bool bn_training = true;                  // BN with batch statistics (else the running ones)
  BnBatchStats* bn_stats = nullptr;         // receives the batch statistics (training mode)
  std::vector<std::vector<float>>* logits = nullptr;  // receives each image's logits
  ThreadPool* pool = nullptr;                         // null: everything on the calling thread
  bool mu_w_gradient = false;  // kMinConv: also differentiate through mu_w,o (see above)
};

// Forward pass (and backward when `grads` is not null) over a batch. The last layer's output, flattened,
// is the logit vector; labels must be in [0, logit count). Throws ModelError on an inconsistent network,
// std::invalid_argument on bad images or labels.
BatchResult loss_and_gradients(const TrainNetwork& net, const std::vector<const golden::TensorF*>& images,
                               const std::vector<int>& labels, golden::FloatMode mode, Gradients* grads,
                               const PassOptions& options = {});

// The same for a network without BN, on the calling thread.
BatchResult loss_and_gradients(const golden::FloatNetwork& net,
                               const std::vector<const golden::TensorF*>& images,
                               const std::vector<int>& labels, golden::FloatMode mode, Gradients* grads,
                               const MinConvConstants* fixed = nullptr, MinConvConstants* used = nullptr);

}  // namespace minconv::train
