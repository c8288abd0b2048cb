// The golden integer semantics (DESIGN.md §3, docs/accelerator.md "Integer semantics").
#include "sw/golden/int8_ops.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>

#include "sw/golden/int8_conv.h"

namespace minconv::golden {
namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument(where + ": " + what);
}

template <typename T>
void check_tensor(const std::string& where, const Tensor<T>& t, const char* name) {
  if (t.h < 1 || t.w < 1 || t.c < 1) {
    fail(where, std::string(name) + " has an empty shape " + std::to_string(t.h) + "x" + std::to_string(t.w) +
                    "x" + std::to_string(t.c));
  }
  const auto expected =
      static_cast<std::size_t>(t.h) * static_cast<std::size_t>(t.w) * static_cast<std::size_t>(t.c);
  if (t.data.size() != expected) {
    fail(where, std::string(name) + " holds " + std::to_string(t.data.size()) + " values, shape " +
                    std::to_string(t.h) + "x" + std::to_string(t.w) + "x" + std::to_string(t.c) + " needs " +
                    std::to_string(expected));
  }
}

// Checks everything conv2d_acc needs and returns the output shape.
void check_conv(const std::string& where, PeKind kind, const Tensor8& input,
                const std::vector<int8_t>& weights, int out_c, const ConvGeometry& g) {
  check_tensor(where, input, "input");
  if (out_c < 1) fail(where, "out_c must be >= 1, got " + std::to_string(out_c));
  if (g.kh < 1 || g.kw < 1) {
    fail(where, "kernel must be at least 1x1, got " + std::to_string(g.kh) + "x" + std::to_string(g.kw));
  }
  if (g.stride_h < 1 || g.stride_w < 1) {
    fail(where, "strides must be >= 1, got " + std::to_string(g.stride_h) + "," + std::to_string(g.stride_w));
  }
  if (g.pad_top < 0 || g.pad_left < 0 || g.pad_bottom < 0 || g.pad_right < 0) {
    fail(where, "padding must be >= 0");
  }
  if (static_cast<int64_t>(input.h) + g.pad_top + g.pad_bottom < g.kh ||
      static_cast<int64_t>(input.w) + g.pad_left + g.pad_right < g.kw) {
    fail(where, "kernel " + std::to_string(g.kh) + "x" + std::to_string(g.kw) +
                    " is larger than the padded input " + std::to_string(input.h + g.pad_top + g.pad_bottom) +
                    "x" + std::to_string(input.w + g.pad_left + g.pad_right) + " (output would be empty)");
  }
  const uint64_t reduction =
      static_cast<uint64_t>(g.kh) * static_cast<uint64_t>(g.kw) * static_cast<uint64_t>(input.c);
  if (reduction > static_cast<uint64_t>(max_reduction(kind))) {
    fail(where, "the reduction kh*kw*in_c = " + std::to_string(reduction) +
                    " is longer than the int32 accumulator " + "can sum without overflow (at most " +
                    std::to_string(max_reduction(kind)) + " for this PE kind)");
  }
  const uint64_t expected = static_cast<uint64_t>(out_c) * static_cast<uint64_t>(g.kh) *
                            static_cast<uint64_t>(g.kw) * static_cast<uint64_t>(input.c);
  if (weights.size() != expected) {
    fail(where, "weights hold " + std::to_string(weights.size()) + " values, out_c x kh x kw x in_c = " +
                    std::to_string(out_c) + "x" + std::to_string(g.kh) + "x" + std::to_string(g.kw) + "x" +
                    std::to_string(input.c) + " needs " + std::to_string(expected));
  }
}

void check_post(const std::string& where, const std::vector<PostScale>& post, int out_c) {
  if (post.size() != static_cast<std::size_t>(out_c)) {
    fail(where,
         "post-scale has " + std::to_string(post.size()) + " records, out_c is " + std::to_string(out_c));
  }
}

void check_pool(const std::string& where, const Tensor8& input, int k, int stride) {
  check_tensor(where, input, "input");
  if (k < 1) fail(where, "pool size k must be >= 1, got " + std::to_string(k));
  if (stride < 1) fail(where, "pool stride must be >= 1, got " + std::to_string(stride));
  if (input.h < k || input.w < k) {
    fail(where, "pool window " + std::to_string(k) + "x" + std::to_string(k) + " is larger than the input " +
                    std::to_string(input.h) + "x" + std::to_string(input.w));
  }
}

}  // namespace

int32_t pe_op(PeKind kind, int8_t a, int8_t b) {
  const int32_t x = a;
  const int32_t y = b;
  if (kind == PeKind::kMul) return x * y;
  if (x == 0 || y == 0) return 0;
  const int32_t mag = std::min(std::abs(x), std::abs(y));
  return ((x < 0) != (y < 0)) ? -mag : mag;
}

int8_t requantize(int64_t value, int32_t multiplier, int32_t shift, bool relu) {
  if (multiplier < 0) {
    throw std::invalid_argument("requantize: multiplier must be in [0, 2^31), got " +
                                std::to_string(multiplier));
  }
  if (shift < 1 || shift > 62) {
    throw std::invalid_argument("requantize: shift must be in [1, 62], got " + std::to_string(shift));
  }
  // |value| < 2^63 and multiplier < 2^31: the product fits in 94 bits, so __int128 never overflows.
  const __int128 p = static_cast<__int128>(value) * multiplier;
  const __int128 mag = p < 0 ? -p : p;
  const __int128 rounded = (mag + (static_cast<__int128>(1) << (shift - 1))) >> shift;
  __int128 q = p < 0 ? -rounded : rounded;
  if (q > 127) q = 127;
  if (q < -127) q = -127;
  if (relu && q < 0) q = 0;
  return static_cast<int8_t>(q);
}

Tensor32 conv2d_acc(PeKind kind, const Tensor8& input, const std::vector<int8_t>& weights, int out_c,
                    const ConvGeometry& g) {
  check_conv("conv2d_acc", kind, input, weights, out_c, g);
  return detail::conv_acc_kernel(kind, input, weights, out_c, g);
}

Tensor8 conv2d_int8(PeKind kind, const Tensor8& input, const std::vector<int8_t>& weights, int out_c,
                    const ConvGeometry& g, const std::vector<PostScale>& post, bool relu) {
  check_post("conv2d_int8", post, out_c);
  for (std::size_t o = 0; o < post.size(); ++o) {
    if (post[o].multiplier < 0 || post[o].shift < 1 || post[o].shift > 62) {
      fail("conv2d_int8", "post-scale of channel " + std::to_string(o) + " has multiplier " +
                              std::to_string(post[o].multiplier) + ", shift " +
                              std::to_string(post[o].shift) +
                              " (need 0 <= multiplier < 2^31, 1 <= shift <= 62)");
    }
  }
  const Tensor32 acc = conv2d_acc(kind, input, weights, out_c, g);
  Tensor8 out(acc.h, acc.w, acc.c);
  for (std::size_t i = 0; i < acc.data.size(); ++i) {
    const PostScale& p = post[i % out_c];
    const int64_t t = static_cast<int64_t>(acc.data[i]) + p.bias;
    out.data[i] = requantize(t, p.multiplier, p.shift, relu);
  }
  return out;
}

Tensor32 conv2d_raw(PeKind kind, const Tensor8& input, const std::vector<int8_t>& weights, int out_c,
                    const ConvGeometry& g, const std::vector<PostScale>& post, bool relu) {
  check_post("conv2d_raw", post, out_c);
  Tensor32 out = conv2d_acc(kind, input, weights, out_c, g);
  for (std::size_t i = 0; i < out.data.size(); ++i) {
    int64_t t = static_cast<int64_t>(out.data[i]) + post[i % out_c].bias;
    t = std::min<int64_t>(std::max<int64_t>(t, std::numeric_limits<int32_t>::min()),
                          std::numeric_limits<int32_t>::max());
    if (relu && t < 0) t = 0;
    out.data[i] = static_cast<int32_t>(t);
  }
  return out;
}

Tensor8 maxpool_int8(const Tensor8& input, int k, int stride) {
  check_pool("maxpool_int8", input, k, stride);
  Tensor8 out((input.h - k) / stride + 1, (input.w - k) / stride + 1, input.c);
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int ch = 0; ch < input.c; ++ch) {
        int8_t m = input.at(oy * stride, ox * stride, ch);
        for (int ky = 0; ky < k; ++ky) {
          for (int kx = 0; kx < k; ++kx) m = std::max(m, input.at(oy * stride + ky, ox * stride + kx, ch));
        }
        out.at(oy, ox, ch) = m;
      }
    }
  }
  return out;
}

Tensor8 avgpool_int8(const Tensor8& input, int k, int stride) {
  check_pool("avgpool_int8", input, k, stride);
  Tensor8 out((input.h - k) / stride + 1, (input.w - k) / stride + 1, input.c);
  const int64_t d = static_cast<int64_t>(k) * k;
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int ch = 0; ch < input.c; ++ch) {
        int64_t s = 0;
        for (int ky = 0; ky < k; ++ky) {
          for (int kx = 0; kx < k; ++kx) s += input.at(oy * stride + ky, ox * stride + kx, ch);
        }
        // round_half_away(s / d) = sgn(s) * floor((2|s| + d) / (2d)); the mean stays in the input's range.
        const int64_t mag = (2 * std::llabs(s) + d) / (2 * d);
        out.at(oy, ox, ch) = static_cast<int8_t>(s < 0 ? -mag : mag);
      }
    }
  }
  return out;
}

}  // namespace minconv::golden
