#pragma once
// Float reference operators (HWC tensors), the standard CNN ops and the MinConv op of DESIGN.md §2.
// They define what the quantized int8 model approximates; they are not bit-exact references.
#include <string>
#include <vector>

#include "sw/golden/float_conv.h"
#include "sw/golden/int8_ops.h"
#include "sw/golden/tensor.h"

namespace minconv::golden {

// Standard convolution: input HWC, weights out_c x kh x kw x in_c, bias out_c (or empty for none),
// zero padding. Throws std::invalid_argument on inconsistent shapes.
TensorF conv2d_float(const TensorF& input, const std::vector<float>& weights, const std::vector<float>& bias,
                     int out_c, const ConvGeometry& g);

// Fully connected: the input (any h x w x c) is flattened in HWC order to 1 x 1 x K and convolved with
// a 1x1 kernel; weights out_c x K. Output 1 x 1 x out_c.
TensorF fully_connected_float(const TensorF& input, const std::vector<float>& weights,
                              const std::vector<float>& bias, int out_c);

// k x k windows, stride, no padding, floor output size.
TensorF maxpool_float(const TensorF& input, int k, int stride);
TensorF avgpool_float(const TensorF& input, int k, int stride);
TensorF relu_float(TensorF t);

// Mean of |x| over all values (0 for an empty tensor) and max |x|.
double mean_abs(const TensorF& t);
double max_abs(const TensorF& t);
// mu_|w|,o: mean |w| over each filter (weights out_c x filter_size).
std::vector<double> filter_mean_abs(const std::vector<float>& weights, int out_c);

// The MinConv operator of DESIGN.md §2, accumulated like a convolution, plus bias:
//   y_o = b_o + Σ mu_w,o · sgn(x)·sgn(w)·min(|x|, (mu_x / mu_w,o)·|clip(w, ±2 mu_w,o)|)
// mu_w,o is computed from the weights; mu_x (mean |x| of the layer input) is given, as it is a
// calibrated constant at inference time (use mean_abs(input) for the per-input value). A filter of
// zeros (mu_w,o = 0) contributes nothing. Throws std::invalid_argument if mu_x < 0 or is not finite, a weight
// is not finite or shapes mismatch.
TensorF minconv2d_float(const TensorF& input, const std::vector<float>& weights,
                        const std::vector<float>& bias, int out_c, const ConvGeometry& g, double mu_x);

// Fully connected MinConv (flattened input, 1x1 kernel).
TensorF min_fully_connected_float(const TensorF& input, const std::vector<float>& weights,
                                  const std::vector<float>& bias, int out_c, double mu_x);

// A conv or fc layer's float operator prepared once and applied to many inputs (calibration runs each layer
// over the whole calibration set): the weights regrouped for the kernel and, for MinConv, clipped and
// pre-scaled with mu_x. Applied to an input it gives conv2d_float / minconv2d_float (fully_connected_float /
// min_fully_connected_float when fully_connected) of the same arguments, bit for bit. The constructors
// throw std::invalid_argument on inconsistent arguments, apply on an input that does not fit.
class FloatConvOp {
 public:
  static FloatConvOp standard(const std::vector<float>& weights, const std::vector<float>& bias, int out_c,
                              const ConvGeometry& g, bool fully_connected = false);
  static FloatConvOp minconv(const std::vector<float>& weights, const std::vector<float>& bias, int out_c,
                             const ConvGeometry& g, double mu_x, bool fully_connected = false);
  // `threads` split the output rows; the result does not depend on them, nor on `isa` (the code path: the
  // benchmark and the tests hold it to AVX2 or portable code).
  TensorF operator()(const TensorF& input, int threads = 1,
                     detail::FloatConvKernel::Isa isa = detail::FloatConvKernel::Isa::kBest) const;

 private:
  FloatConvOp(const char* where, const std::vector<float>& weights, const std::vector<float>& bias, int out_c,
              const ConvGeometry& g, bool fully_connected, const std::vector<double>* mu);

  std::string where_;
  std::size_t weight_count_;
  std::vector<float> bias_;
  ConvGeometry g_;
  bool fully_connected_;
  detail::FloatConvKernel kernel_;
};

// Index of the largest value (first one on ties); throws on an empty tensor.
int argmax(const TensorF& t);

}  // namespace minconv::golden
