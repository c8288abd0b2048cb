#pragma once
// Internal to the training library: the batch pass of backprop.h as a class, shared by backprop.cpp
// (set-up and forward) and backprop_backward.cpp (backward).
#include <cstdint>
#include <vector>

#include "sw/train/backprop.h"
#include "sw/train/kernels.h"

namespace minconv::train::detail {

inline bool conv_like(golden::LayerType t) {
  return t == golden::LayerType::kConv || t == golden::LayerType::kFc;
}

// A conv whose im2col matrix is its input (1x1 kernel, stride 1, no padding; every fc).
bool direct(const golden::FloatLayer& l);

// The weights a conv/fc layer computes with during one step.
struct LayerWeights {
  const float* w = nullptr;   // standard: the weights; min: w' = s · clip(w)
  std::vector<float> scaled;  // min: w'
  std::vector<float> abs_w;   // min: |w'|
  std::vector<float> sign_w;  // min: sgn(w')
  std::vector<float> mu_w;    // min: mu_w,o
  std::vector<float> chain;   // min: dw = dw' · chain, chain = s_o · [|w| < 2 mu_w,o]
  double mu_x = 0.0;          // min
};

// Per-task scratch buffers and partial sums.
struct Scratch {
  std::vector<float> col, dcol, abs_col, sign_col, zt, dw, db, xw;
  std::vector<double> sum1, sum2;
};

class Pass {
 public:
  Pass(const TrainNetwork& t, const std::vector<const golden::TensorF*>& images,
       const std::vector<int>& labels, golden::FloatMode mode, const PassOptions& o);
  BatchResult run(Gradients* grads);

 private:
  template <class F>
  void parallel(F&& f) {  // f(task, begin, end) over the batch
    auto body = [&](int t) { f(t, part_begin(N_, t, T_), part_begin(N_, t + 1, T_)); };
    if (opt_.pool == nullptr) {
      body(0);
    } else {
      opt_.pool->run(body);
    }
  }
  const golden::FloatLayer& layer(std::size_t i) const { return net_.layers[i]; }
  bool has_bn(std::size_t i) const { return !bn_.empty() && bn_[i].enabled(); }
  void forward_conv(std::size_t i);
  void conv_sample(std::size_t i, std::size_t n, Scratch& s);
  void bn_forward(std::size_t i);
  void forward_pool(std::size_t i);
  BatchResult loss();
  void backward_conv(std::size_t i, Gradients& g);
  void conv_sample_backward(std::size_t i, std::size_t n, Scratch& s);
  void conv_sample_backward_t(std::size_t i, std::size_t n, Scratch& s);
  void bn_backward(std::size_t i, Gradients& g);
  void mu_w_gradient(std::size_t i, std::vector<float>& dw);
  void backward_pool(std::size_t i);
  // Per-channel sums over the batch of f(n, j, channel) for layer i's output, reduced in task order.
  template <class F>
  std::vector<double> channel_sum(std::size_t i, F&& f);

  const golden::FloatNetwork& net_;
  const std::vector<BatchNorm>& bn_;
  const std::vector<const golden::TensorF*>& images_;
  const std::vector<int>& labels_;
  const bool min_mode_;
  const PassOptions& opt_;
  const std::size_t L_, N_;
  const int T_;
  std::vector<golden::Shape> in_shape_, out_shape_;
  std::vector<std::size_t> filter_, positions_;
  MinConvConstants consts_;
  std::vector<LayerWeights> lw_;
  std::vector<std::vector<const float*>> in_ptr_;        // [layer][n]: input of layer
  std::vector<std::vector<std::vector<float>>> out_;     // [layer][n]: output (after BN and ReLU)
  std::vector<std::vector<std::vector<float>>> hat_;     // [layer][n]: BN-normalised pre-activation
  std::vector<std::vector<std::vector<uint32_t>>> arg_;  // [layer][n]: max-pool argmax
  std::vector<std::vector<float>> inv_std_;              // [layer][channel]
  std::vector<std::vector<float>> delta_, prev_;         // [n]: gradient of the current layer's output
  std::vector<Scratch> scratch_;
  int classes_ = 0;
};

template <class F>
std::vector<double> Pass::channel_sum(std::size_t i, F&& f) {
  const std::size_t oc = static_cast<std::size_t>(layer(i).out_c);
  parallel([&](int t, std::size_t b, std::size_t e) {
    std::vector<double>& acc = scratch_[t].sum1;
    acc.assign(oc, 0.0);
    for (std::size_t n = b; n < e; ++n) {
      const std::size_t size = out_[i][n].size();
      for (std::size_t j0 = 0; j0 < size; j0 += oc) {
        for (std::size_t o = 0; o < oc; ++o) acc[o] += f(n, j0 + o, o);
      }
    }
  });
  std::vector<double> total(oc, 0.0);
  for (const Scratch& s : scratch_) {
    for (std::size_t o = 0; o < oc; ++o) total[o] += s.sum1[o];
  }
  return total;
}

}  // namespace minconv::train::detail
