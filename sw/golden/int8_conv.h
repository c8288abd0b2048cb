#pragma once
// The golden convolution's reduction (conv2d_acc, not part of the golden model's interface): every output is
// Σ pe_op(kind, x, w) over its window, as one dot product of K' = K rounded up to 32 terms between the
// zero-padded im2col window of the pixel and the zero-padded filter (zeros add 0 for both PE kinds). AVX2
// kernel, filters four at a time (then two, then one) against one pixel's window:
//   min: m = min_u8(|x|, |w|), s = sgn(w)·sgn(x) (one byte sign operation), maddubs(m, s) (pairs, |.| <= 256)
//        summed in 16-bit lanes: to the end for K' <= 224 (|sum| <= 224 · 128 < 2^15, lane sums in 16 bits),
//        else for at most 64 steps, then widened into 32-bit lanes with madd(., 1). A pixel without a
//        negative x (images, ReLU outputs) skips |x| and the sign of x: m = min_u8(x, |w|), s = sgn(w);
//   mul: w and x sign-extended to 16 bits; each 16 terms one madd (pairs of products).
// From 4 output pixels on the filters are prepared once per call (min: |w| and sgn(w); mul: w sign-extended);
// fewer pixels (fc layers) read them as they are, |w|, sgn(w) or the sign extension taken on the fly, each
// row kp bytes long (past its end into the next row, cancelled by the window's zero padding; the last rows
// from a zero-padded copy). Exact integer sums (the reduction is at most max_reduction(kind)), so the
// portable path (dot_int8_portable per output) gives the same values.
#include <vector>

#include "sw/golden/int8_ops.h"

namespace minconv::golden::detail {

enum class ConvIsa { kBest, kPortable };

// Shapes must have been checked by the caller (conv2d_acc).
Tensor32 conv_acc_kernel(PeKind kind, const Tensor8& input, const std::vector<int8_t>& weights, int out_c,
                         const ConvGeometry& g, ConvIsa isa = ConvIsa::kBest);

}  // namespace minconv::golden::detail
