#pragma once
// The golden integer semantics (DESIGN.md §3, docs/accelerator.md). Everything the accelerator model,
// the RTL and the driver produce is checked bit for bit against these functions.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sw/golden/pe_kind.h"
#include "sw/golden/tensor.h"

namespace minconv::golden {

// Convolution geometry. A fully connected layer is a 1x1 convolution of a 1 x 1 x K input.
struct ConvGeometry {
  int kh = 1, kw = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int out_h(int in_h) const { return (in_h + pad_top + pad_bottom - kh) / stride_h + 1; }
  int out_w(int in_w) const { return (in_w + pad_left + pad_right - kw) / stride_w + 1; }
};

// Per output channel post-scale: q = round_half_away((acc + bias) * multiplier / 2^shift).
struct PostScale {
  int32_t bias = 0;
  int32_t multiplier = 0;  // 0 <= multiplier < 2^31
  int32_t shift = 1;       // 1 <= shift <= 62
};

// One PE step: min PE sgn(a)·sgn(b)·min(|a|,|b|); mul PE a·b.
int32_t pe_op(PeKind kind, int8_t a, int8_t b);

// The longest reduction (K = kh·kw·in_c) whose worst-case sum fits the int32 accumulator for any int8
// operands: |term| <= 128 (min) or 128·128 (mul), and K·|term| <= 2^31 - 1. A layer or tile with a longer
// reduction is invalid: the golden model refuses it, the accelerator rejects the tile before any fold
// (error code kErrReduction), and the runtime and the workload reader refuse the layer before running it.
// So the accumulators never overflow. min: 16,777,215; mul: 131,071.
constexpr int64_t max_reduction(PeKind kind) {
  return ((int64_t{1} << 31) - 1) / (kind == PeKind::kMin ? 128 : 128 * 128);
}

// Σ_i pe_op(kind, a[i], b[i]) over n pairs, branch-free so that the compiler vectorizes it (the min term is
// sgn(a)·sgn(b)·min(|a|, |b|) = ±min(|a|, |b|), negated when the signs differ; a zero operand makes the
// min 0). n·128·128 must fit int64 (any realistic n). Bit-exact with the scalar pe_op sum (tests).
int64_t dot_int8(PeKind kind, const int8_t* a, const int8_t* b, std::size_t n);

// round_half_away(value * multiplier / 2^shift), clamped to [-127, 127], then max(0, .) if relu.
int8_t requantize(int64_t value, int32_t multiplier, int32_t shift, bool relu);

// Raw accumulators (before bias) of a convolution: input HWC, weights out_c x kh x kw x in_c.
Tensor32 conv2d_acc(PeKind kind, const Tensor8& input, const std::vector<int8_t>& weights, int out_c,
                    const ConvGeometry& g);

// Full layer: accumulate, add bias, requantize to int8 (with optional ReLU).
Tensor8 conv2d_int8(PeKind kind, const Tensor8& input, const std::vector<int8_t>& weights, int out_c,
                    const ConvGeometry& g, const std::vector<PostScale>& post, bool relu);

// Full layer with raw int32 output: acc + bias saturated to int32, max(0, .) if relu.
Tensor32 conv2d_raw(PeKind kind, const Tensor8& input, const std::vector<int8_t>& weights, int out_c,
                    const ConvGeometry& g, const std::vector<PostScale>& post, bool relu);

// Pooling on int8 (same scale in and out). avg rounds half away from zero.
Tensor8 maxpool_int8(const Tensor8& input, int k, int stride);
Tensor8 avgpool_int8(const Tensor8& input, int k, int stride);

}  // namespace minconv::golden
