// The golden model's vector kernels against the PE definition of DESIGN.md §3, written out here (min PE
// sgn(a)·sgn(b)·min(|a|, |b|), 0 if an operand is 0; mul PE a·b): dot_int8 (the AVX2 kernel on this host when
// the CPU has it) and the portable kernel, every operand pair inside the vector body, and conv2d_acc on
// channel counts whose reductions span several vectors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <vector>

#include "sw/golden/int8_conv.h"
#include "sw/golden/int8_dot.h"
#include "sw/golden/int8_ops.h"

namespace minconv::golden {
namespace {

int64_t definition(PeKind kind, int a, int b) {
  if (kind == PeKind::kMul) return int64_t{a} * b;
  if (a == 0 || b == 0) return 0;
  const int64_t m = std::min(std::abs(a), std::abs(b));
  return (a < 0) == (b < 0) ? m : -m;
}

using Dot = int64_t (*)(PeKind, const int8_t*, const int8_t*, std::size_t);
const Dot kDots[] = {dot_int8, detail::dot_int8_portable};

// Each pair (a, b) alone in a vector of zeros, at a position that moves over the vector body and the tail.
TEST(DotKernels, EveryOperandPairAtEveryPosition) {
  constexpr std::size_t n = 263;
  for (const Dot dot : kDots) {
    for (const PeKind kind : {PeKind::kMin, PeKind::kMul}) {
      std::vector<int8_t> x(n, 0), y(n, 0);
      for (int a = -128; a <= 127; ++a) {
        for (int b = -128; b <= 127; ++b) {
          const std::size_t at = static_cast<std::size_t>(a * 7 + b + 4096) % n;
          x[at] = static_cast<int8_t>(a);
          y[at] = static_cast<int8_t>(b);
          ASSERT_EQ(dot(kind, x.data(), y.data(), n), definition(kind, a, b))
              << a << " " << b << " at " << at;
          x[at] = y[at] = 0;
        }
      }
    }
  }
}

// Lengths around the 32-term vectors, the 2,048-term 16-bit partial sums and the 2^16-term int32 blocks, with
// operands biased towards the extremes.
TEST(DotKernels, RandomAndExtremeVectorsEqualTheScalarSum) {
  std::mt19937 rng(8);
  std::uniform_int_distribution<int> byte(-128, 127), pick(0, 5);
  for (const std::size_t n : {31u, 32u, 33u, 2047u, 2048u, 2049u, 6200u, 65536u, 65600u, 140000u}) {
    std::vector<int8_t> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
      const int p = pick(rng);
      x[i] = static_cast<int8_t>(p == 0 ? -128 : p == 1 ? 127 : p == 2 ? 0 : byte(rng));
      y[i] = static_cast<int8_t>(p == 3 ? -128 : byte(rng));
    }
    for (const PeKind kind : {PeKind::kMin, PeKind::kMul}) {
      int64_t want = 0;
      for (std::size_t i = 0; i < n; ++i) want += definition(kind, x[i], y[i]);
      const std::vector<int8_t> lo(n, -128), hi(n, 127);
      for (const Dot dot : kDots) {
        EXPECT_EQ(dot(kind, x.data(), y.data(), n), want) << "n=" << n;
        EXPECT_EQ(dot(kind, lo.data(), lo.data(), n), static_cast<int64_t>(n) * definition(kind, -128, -128));
        EXPECT_EQ(dot(kind, lo.data(), hi.data(), n), static_cast<int64_t>(n) * definition(kind, -128, 127));
      }
    }
  }
}

// Every operand pair through the convolution kernels: pixel p holds a = p - 128 at one channel (which moves
// over the first two vectors) and zeros elsewhere, filter o holds b = o - 128 everywhere, so output (p, o) is
// the single term of (a, b). Pixels with a >= 0 take the kernel's path for inputs without negative values.
TEST(DotKernels, EveryOperandPairThroughTheConvolution) {
  constexpr int kC = 40;
  Tensor8 in(16, 16, kC);
  for (int p = 0; p < 256; ++p) in.data[p * kC + p % kC] = static_cast<int8_t>(p - 128);
  std::vector<int8_t> w(256 * kC);
  for (int o = 0; o < 256; ++o) std::fill_n(&w[o * kC], kC, static_cast<int8_t>(o - 128));
  for (const PeKind kind : {PeKind::kMin, PeKind::kMul}) {
    const Tensor32 out = conv2d_acc(kind, in, w, 256, ConvGeometry{});
    const Tensor32 portable =
        detail::conv_acc_kernel(kind, in, w, 256, ConvGeometry{}, detail::ConvIsa::kPortable);
    for (int p = 0; p < 256; ++p) {
      for (int o = 0; o < 256; ++o) {
        ASSERT_EQ(out.data[p * 256 + o], definition(kind, p - 128, o - 128)) << p - 128 << " " << o - 128;
        ASSERT_EQ(portable.data[p * 256 + o], definition(kind, p - 128, o - 128))
            << p - 128 << " " << o - 128;
      }
    }
  }
}

// The same through the kernel of layers with fewer than 4 output pixels (fc), which reads the filters as they
// are: one pixel holding a at one channel, 256 filters of b = o - 128 (40 channels: rows read past their
// end).
TEST(DotKernels, EveryOperandPairThroughTheFullyConnectedKernel) {
  constexpr int kC = 40;
  std::vector<int8_t> w(256 * kC);
  for (int o = 0; o < 256; ++o) std::fill_n(&w[o * kC], kC, static_cast<int8_t>(o - 128));
  for (const PeKind kind : {PeKind::kMin, PeKind::kMul}) {
    for (int a = -128; a <= 127; ++a) {
      Tensor8 in(1, 1, kC);
      in.data[(a + 128) % kC] = static_cast<int8_t>(a);
      const Tensor32 out = conv2d_acc(kind, in, w, 256, ConvGeometry{});
      for (int o = 0; o < 256; ++o)
        ASSERT_EQ(out.data[o], definition(kind, a, o - 128)) << a << " " << o - 128;
    }
  }
}

// Reductions at the bounds of the kernels' sums (up to 224 terms summed in 16 bits to the end, 225 on in
// 16-bit partial sums of 2,048 terms), through both pixel-count paths (1 pixel: filters as they are; 4:
// prepared) and the groups of 4, 2 and 1 filters: operands all -128 (the largest sums), -128 against 127 (the
// most negative), random, and random with inputs >= 0.
TEST(DotKernels, ConvolutionAtTheBoundsOfItsSums) {
  std::mt19937 rng(10);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (const int c : {1, 31, 32, 33, 224, 225, 256, 2048, 2049}) {
    for (const int side : {1, 2}) {
      for (const int out_c : {1, 3, 7}) {
        for (int fill = 0; fill < 4; ++fill) {
          Tensor8 in(side, side, c);
          std::vector<int8_t> w(static_cast<std::size_t>(out_c) * c);
          for (auto& v : in.data)
            v = static_cast<int8_t>(fill < 2 ? -128 : fill == 2 ? byte(rng) : byte(rng) & 127);
          for (auto& v : w) v = static_cast<int8_t>(fill == 0 ? -128 : fill == 1 ? 127 : byte(rng));
          for (const PeKind kind : {PeKind::kMin, PeKind::kMul}) {
            const Tensor32 out = conv2d_acc(kind, in, w, out_c, ConvGeometry{});
            for (int p = 0; p < side * side; ++p) {
              for (int o = 0; o < out_c; ++o) {
                int64_t want = 0;
                for (int i = 0; i < c; ++i) want += definition(kind, in.data[p * c + i], w[o * c + i]);
                ASSERT_EQ(out.data[p * out_c + o], want)
                    << "c=" << c << " side=" << side << " out_c=" << out_c << " fill=" << fill << " (" << p
                    << "," << o << ")";
              }
            }
          }
        }
      }
    }
  }
}

// Long reductions of extreme operands through the convolution kernels (16-bit partial sums over many
// vectors).
TEST(DotKernels, ConvolutionWithLongExtremeReductions) {
  for (const int c : {2047, 2048, 2049, 6000}) {
    Tensor8 in(2, 2, c);                                // 4 pixels: the prepared-filter kernel
    for (std::size_t i = 0; i < in.data.size(); ++i) {  // pixel 0 all -128, 1 all 127, 2 and 3 mixed
      const std::size_t p = i / c;
      in.data[i] = static_cast<int8_t>(p == 0 ? -128 : p == 1 ? 127 : i % 3 == 0 ? 127 : -128);
    }
    std::vector<int8_t> w(2 * static_cast<std::size_t>(c), -128);
    for (int i = 0; i < c; ++i) w[c + i] = static_cast<int8_t>(i % 2 == 0 ? 127 : -128);
    for (const PeKind kind : {PeKind::kMin, PeKind::kMul}) {
      const Tensor32 out = conv2d_acc(kind, in, w, 2, ConvGeometry{});
      const Tensor32 portable =
          detail::conv_acc_kernel(kind, in, w, 2, ConvGeometry{}, detail::ConvIsa::kPortable);
      for (int p = 0; p < 4; ++p) {
        for (int o = 0; o < 2; ++o) {
          int64_t want = 0;
          for (int i = 0; i < c; ++i) want += definition(kind, in.data[p * c + i], w[o * c + i]);
          EXPECT_EQ(out.data[p * 2 + o], want) << "c=" << c;
          EXPECT_EQ(portable.data[p * 2 + o], want) << "c=" << c;
        }
      }
    }
  }
}

// conv2d_acc (the prepared-filter AVX2 kernel from 4 output pixels on, dot_int8 below) and the portable
// kernel, with reductions of several vectors (and a remainder), strides and uneven padding, against one
// output at a time computed from the definition.
TEST(DotKernels, ConvolutionOverManyChannelsEqualsTheDefinition) {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> byte(-128, 127), chans(1, 70), side(3, 9), kern(1, 3);
  for (int trial = 0; trial < 40; ++trial) {
    ConvGeometry g;
    g.kh = kern(rng);
    g.kw = kern(rng);
    g.stride_h = 1 + trial % 2;
    g.stride_w = 1 + trial % 3 / 2;
    g.pad_top = g.pad_left = trial % 2 == 0 ? g.kh / 2 : 0;
    g.pad_bottom = g.pad_right = std::min(trial % 3, g.kw - 1);
    Tensor8 in(side(rng), side(rng), chans(rng));
    for (auto& v : in.data) v = static_cast<int8_t>(byte(rng));
    const int out_c = 1 + trial % 5;
    std::vector<int8_t> w(static_cast<std::size_t>(out_c) * g.kh * g.kw * in.c);
    for (auto& v : w) v = static_cast<int8_t>(byte(rng));
    for (const PeKind kind : {PeKind::kMin, PeKind::kMul}) {
      const Tensor32 out = conv2d_acc(kind, in, w, out_c, g);
      const Tensor32 portable = detail::conv_acc_kernel(kind, in, w, out_c, g, detail::ConvIsa::kPortable);
      ASSERT_EQ(portable.data, out.data) << "trial " << trial;  // both are checked against the definition:
      for (int oy = 0; oy < out.h; ++oy) {
        for (int ox = 0; ox < out.w; ++ox) {
          for (int o = 0; o < out_c; ++o) {
            int64_t want = 0;
            for (int ky = 0; ky < g.kh; ++ky) {
              for (int kx = 0; kx < g.kw; ++kx) {
                const int iy = oy * g.stride_h + ky - g.pad_top, ix = ox * g.stride_w + kx - g.pad_left;
                if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
                for (int c = 0; c < in.c; ++c)
                  want += definition(kind, in.at(iy, ix, c), w[((o * g.kh + ky) * g.kw + kx) * in.c + c]);
              }
            }
            ASSERT_EQ(out.at(oy, ox, o), want)
                << "trial " << trial << " (" << oy << "," << ox << "," << o << ")";
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace minconv::golden
