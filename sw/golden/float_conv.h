#pragma once
// The float convolution kernel behind conv2d_float and minconv2d_float (not part of the golden model's
// interface). Every output is accumulated in double, term by term in the order (ky, kx, ci), starting from 0,
// and the bias is added last: the definition of float_ops.h, evaluated for blocks of output channels at once
// so that the arithmetic runs across channels in vector registers without reordering any sum.
#include <cstddef>
#include <vector>

#include "sw/golden/int8_ops.h"
#include "sw/golden/tensor.h"

namespace minconv::golden::detail {

// out(oy, ox, o) = float(Σ_(ky, kx, ci) term(o, x, w) + bias[o]) over the unpadded input positions, with
//   standard: term = double(x) · double(w)
//   MinConv:  term = sgn(x)·sgn(w)·min(|x|, |w|) · mu[o]   (w: the clipped and pre-scaled weight)
// evaluated as (clamp(w, -|x|, |x|) · mu[o]) · sgn(x) with clamp = min(|x|, max(-|x|, w)): the same double
// (clamp is ±min(|x|, |w|) with the sign of w, and multiplying by ±1 is exact). A zero operand gives a ±0
// term, which leaves the sum unchanged (the sum starts at +0, so it is never -0); a NaN propagates.
class FloatConvKernel {
 public:
  enum class Isa { kBest, kPortable };  // kBest: AVX2 when the CPU has it (the same results)

  // weights out_c x k (k = kh·kw·in_c); mu: out_c values for MinConv, nullptr for the standard convolution.
  FloatConvKernel(const std::vector<float>& weights, int out_c, std::size_t k, const std::vector<double>* mu);

  // Shapes must have been checked by the caller (input channels · kh · kw = k, bias empty or out_c values).
  // `threads` split the output rows (each output is computed the same way on any thread).
  TensorF run(const TensorF& input, const std::vector<float>& bias, const ConvGeometry& g,
              Isa isa = Isa::kBest, int threads = 1) const;

  int lanes() const { return lanes_; }
  int out_c() const { return out_c_; }
  std::size_t k() const { return k_; }
  bool minconv() const { return !mu_.empty(); }
  // Weights of step `step` of block b (lanes() channels side by side), and the block's mu values.
  const float* block_weights(int b, std::size_t step) const { return &blocks_[(b * k_ + step) * lanes_]; }
  const double* block_mu(int b) const { return &mu_[static_cast<std::size_t>(b) * lanes_]; }

 private:
  void rows(const TensorF& input, const std::vector<float>& bias, const ConvGeometry& g, bool avx2, int oy0,
            int oy1, TensorF& out) const;

  int out_c_;
  int lanes_;  // output channels per block: 8 or 16
  std::size_t k_;
  std::vector<float> blocks_;  // [block][step][lane], zeros beyond out_c
  std::vector<double> mu_;     // [block][lane] (MinConv only)
};

}  // namespace minconv::golden::detail
