#pragma once
// The float convolution kernel behind conv2d_float and minconv2d_float (not part of the golden model's
// interface). Every output is accumulated in double, term by term in the order (ky, kx, ci), starting from 0,
// and the bias is added last: the definition of float_ops.h, evaluated several output channels at a time so
// that the compiler vectorizes across channels instead of reordering any sum.
#include <vector>

#include "sw/golden/int8_ops.h"
#include "sw/golden/tensor.h"

namespace minconv::golden::detail {

// out(oy, ox, o) = float(Σ_(ky, kx, ci) term(o, x, w) + bias[o]) over the unpadded input positions, with
//   mu == nullptr: term = double(x) · double(w)                                     (standard convolution)
//   otherwise:     term = sgn(x)·sgn(w)·min(|x|, |w|) · (*mu)[o]  (MinConv; weights clipped and pre-scaled)
// evaluated as sgn(x) · (clamp(w, -|x|, |x|) · mu[o]), which is the same double: clamp gives ±min(|x|, |w|)
// with the sign of w, and the sign flips are exact. A zero operand gives a ±0 term, which leaves the sum
// unchanged (the sum starts at +0 and so is never -0). Shapes must have been checked by the caller.
TensorF conv_float_kernel(const TensorF& input, const std::vector<float>& weights,
                          const std::vector<float>& bias, int out_c, const ConvGeometry& g,
                          const std::vector<double>* mu);

}  // namespace minconv::golden::detail
