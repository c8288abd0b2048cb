#pragma once
// The float convolution kernel behind conv2d_float and minconv2d_float (not part of the golden model's
// interface). Every output is accumulated in double, term by term in the order (ky, kx, ci), starting from 0,
// and the bias is added last: the definition of float_ops.h, evaluated for several outputs at once (output
// channels, or for MinConv also output pixels, side by side in vector registers) without reordering any sum.
#include <cstddef>
#include <vector>

#include "sw/golden/int8_ops.h"
#include "sw/golden/tensor.h"

namespace minconv::golden::detail {

enum class FloatConvPath { kPortable, kAvx2, kAvx512 };  // the code path a run takes (see Isa)

// out(oy, ox, o) = float(Σ_(ky, kx, ci) term(o, x, w) + bias[o]) over the unpadded input positions, with
//   standard: term = double(x) · double(w)
//   MinConv:  term = sgn(x)·sgn(w)·min(|x|, |w|) · mu[o]   (w: the clipped and pre-scaled weight)
// The MinConv term is evaluated as sgn(x)·clamp(W, -X, X) with W = double(w)·mu[o] (prepared once per weight)
// and X = |x|·mu[o] (per term): the same double. For mu[o] > 0, a correctly rounded product is non-decreasing
// in each factor, so round(min(|x|, |w|)·mu) = min(round(|x|·mu), round(|w|·mu)) (also for an infinite x or
// w); rounding is symmetric, so the sign can be applied before or after it; and clamp(W, -X, X) is
// ±min(|W|, X) with the sign of W. A filter with mu[o] = 0 (all its weights 0) takes X = |x| (any X >= 0
// gives the term ±0, also for an infinite x). A zero term leaves the sum unchanged (the sum starts at +0, so
// it is never -0); a NaN input gives the NaN term |x| as before. The weights must be finite (FloatConvOp
// checks).
class FloatConvKernel {
 public:
  // kBest: the fastest path this CPU runs (for MinConv AVX-512 (DQ, VL) at 256 bits, else AVX2); kAvx2: at
  // most AVX2; kPortable: plain C++. All give the same results bit for bit.
  enum class Isa { kBest, kAvx2, kPortable };

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
  // Standard: the weights of step `step` of block b (lanes() channels side by side).
  const float* block_weights(int b, std::size_t step) const { return &blocks_[(b * k_ + step) * lanes_]; }
  // MinConv: W = double(w)·mu of step `step` of block b, and the block's mu values with 0 replaced by 1.
  const double* block_scaled(int b, std::size_t step) const { return &scaled_[(b * k_ + step) * lanes_]; }
  const double* block_mu(int b) const { return &mu_[static_cast<std::size_t>(b) * lanes_]; }

 private:
  void standard_rows(const TensorF& input, const std::vector<float>& bias, const ConvGeometry& g,
                     FloatConvPath path, int oy0, int oy1, TensorF& out) const;
  void min_rows(const TensorF& input, const std::vector<float>& bias, const ConvGeometry& g,
                FloatConvPath path, int oy0, int oy1, TensorF& out) const;
  void min_rows_pixels(const TensorF& input, const std::vector<float>& bias, const ConvGeometry& g,
                       bool negative, int oy0, int oy1, TensorF& out) const;

  int out_c_;
  int lanes_;  // output channels per block: 8 or 16 (MinConv: 8 to 48, a multiple of 4)
  std::size_t k_;
  std::vector<float> blocks_;   // standard: [block][step][lane], zeros beyond out_c
  std::vector<double> scaled_;  // MinConv: [block][step][lane] W = double(w)·mu, zeros beyond out_c
  std::vector<double> mu_;      // MinConv: [block][lane], mu or 1 where mu = 0 (and beyond out_c)
};

}  // namespace minconv::golden::detail
