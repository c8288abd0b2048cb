// The float convolution kernel's MinConv arrangements (float_conv.h, float_minconv.h). Compiled with -O3
// -ffp-contract=off (sw/golden/CMakeLists.txt): no multiply and add is fused, so every term and every partial
// sum is rounded as in the scalar definition; each output's terms are added in step order (ky, kx, ci) from
// +0, the bias last.
//
// The term and its code paths: float_minconv_kernels.h.
// Two arrangements, both computing every output with those kernels:
//   channels in the lanes (min_rows): blocks of 4·V output channels, V registers (V = 2 to 12, chosen for the
//     fewest unused lanes); the input rows compacted once per run (their nonzero inputs, as double, with
//     their column and channel), each window a few slices of them; the output pixels in tiles, and per tile,
//     block by block, the weights in chunks of about 64 KB of W values, each chunk applied to every pixel of
//     the tile before the next one (the W values come from cache, not from memory, for every pixel but the
//     first);
//   output pixels in the lanes (min_rows_pixels, AVX-512 only, stride_w 1 and kw·in_c <= 16: layers with few
//     input channels, where a window has few steps and the cost per pixel of the other arrangement would
//     dominate): 32 consecutive output pixels of one output channel in 8 registers, the input rows converted
//     to double once per run, zero-padded, every input used (no per-pixel window at all).
#include "sw/golden/float_minconv.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "sw/golden/float_conv.h"
#include "sw/golden/float_minconv_kernels.h"
#include "sw/golden/simd.h"

namespace minconv::golden::detail {

int min_lanes(int out_c) {
  int best = 8, best_total = (out_c + 7) / 8 * 8;
  for (int lanes = 12; lanes <= 48; lanes += 4) {
    const int total = (out_c + lanes - 1) / lanes * lanes;
    if (total <= best_total) best = lanes, best_total = total;
  }
  return best;
}

// Integer operations on the bits, which the compiler vectorizes.
InputSigns input_signs(const float* v, std::size_t n) {
  uint32_t bits = 0, nans = 0;
  for (std::size_t i = 0; i < n; ++i) {
    uint32_t b = 0;
    std::memcpy(&b, &v[i], sizeof b);
    bits |= b;
    nans |= (b & 0x7FFFFFFFu) > 0x7F800000u ? 1u : 0u;
  }
  return InputSigns{(bits >> 31) != 0, nans != 0};
}

namespace {

using namespace min_kernels;  // Slice, Path, kPixels and the kernels

// MinConv buffers, kept per thread from run to run (allocating and first touching them per run costs more
// than a small layer): padded: min_rows_pixels' input rows; x, index: min_rows' compacted input rows (with
// room for compact_avx512 after the last entry); segment: row r's entries of column ix, channel group c start
// at segment[r·segments + ix·groups + c] (and end at the next); chunks; slices, counts: per chunk and pixel
// of a tile, its slices; acc: the tile's pixels' sums of the current block.
struct Chunk {
  int ky0, ky1, kx0, kx1, c0, c1;
};

struct MinScratch {
  std::vector<double> padded;
  std::vector<double> x;
  std::vector<uint32_t> index;
  std::vector<std::size_t> segment;
  std::vector<Chunk> chunks;
  std::vector<Slice> slices;
  std::vector<int> counts;
  std::vector<double> acc;
};

MinScratch& min_scratch() {
  thread_local MinScratch scratch;
  return scratch;
}

// Appends the nonzero values of v[0, count) and their indices first + i to x and index from entry n on;
// returns the new n. Adds the signs of v[0, count) to `signs`.
std::size_t compact(const float* v, std::size_t count, std::size_t first, double* x, uint32_t* index,
                    std::size_t n, InputSigns& signs) {
  for (std::size_t i = 0; i < count; ++i) {
    x[n] = v[i];
    index[n] = static_cast<uint32_t>(first + i);
    n += v[i] != 0.0f ? 1 : 0;  // branch-free; a NaN is kept
  }
  const InputSigns these = input_signs(v, count);
  signs.negative |= these.negative;
  signs.nan |= these.nan;
  return n;
}

#ifdef MINCONV_GOLDEN_AVX2
// compact() 8 values at a time with AVX-512 (F, VL) on 256-bit registers: the values that compare "not equal
// or unordered" to 0 (a NaN is kept, ±0 left out) packed with vcompress, converted to double as cvtss2sd
// does (the same for a NaN). Writes up to 8 entries past the returned n. Adds the signs of v[0, count) to
// `signs`.
__attribute__((target("avx2,avx512f,avx512vl,popcnt"))) std::size_t compact_avx512(
    const float* v, std::size_t count, std::size_t first, double* x, uint32_t* index, std::size_t n,
    InputSigns& signs) {
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256 any = _mm256_setzero_ps();  // the values OR-ed together: the sign bit of any
  __mmask8 nan = 0;
  for (std::size_t i = 0; i < count; i += 8) {
    const __mmask8 valid = count - i >= 8 ? 0xFF : static_cast<__mmask8>((1u << (count - i)) - 1);
    const __m256 y = _mm256_maskz_loadu_ps(valid, v + i);
    any = _mm256_or_ps(any, y);
    nan |= _mm256_cmp_ps_mask(y, y, _CMP_UNORD_Q);
    const __mmask8 keep = _mm256_cmp_ps_mask(y, _mm256_setzero_ps(), _CMP_NEQ_UQ);
    const __m256i at = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(first + i)), iota);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(index + n), _mm256_maskz_compress_epi32(keep, at));
    const __mmask8 lo = keep & 0xF, hi = keep >> 4;
    const std::size_t n_lo = static_cast<std::size_t>(__builtin_popcount(lo));
    _mm256_storeu_pd(x + n, _mm256_maskz_compress_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(y))));
    _mm256_storeu_pd(x + n + n_lo,
                     _mm256_maskz_compress_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(y, 1))));
    n += n_lo + static_cast<std::size_t>(__builtin_popcount(hi));
  }
  signs.negative |= _mm256_movemask_ps(any) != 0;
  signs.nan |= nan != 0;
  return n;
}
#endif

constexpr long kTilePixels = 256;
constexpr std::size_t kChunkBytes = 65536;

// Chunks: kernel rows [ky0, ky1), kernel columns [kx0, kx1), channel groups [c0, c1) of `group` channels;
// returns the group. All steps in one when the block's W values (w_step bytes per step) fit in kChunkBytes or
// there is a single pixel (nothing to reuse them for); else per kernel row, columns in groups of about
// kChunkBytes, and a column split in channel groups of about kChunkBytes when it alone is larger.
int plan_chunks(const ConvGeometry& g, int in_c, std::size_t k, std::size_t w_step, bool one_pixel,
                std::vector<Chunk>& chunks) {
  chunks.clear();
  if (one_pixel || k * w_step <= kChunkBytes) {
    chunks.push_back({0, g.kh, 0, g.kw, 0, 1});
    return in_c;
  }
  if (static_cast<std::size_t>(in_c) * w_step <= kChunkBytes) {
    const int columns = static_cast<int>(kChunkBytes / (static_cast<std::size_t>(in_c) * w_step));
    for (int ky = 0; ky < g.kh; ++ky) {
      for (int kx = 0; kx < g.kw; kx += columns)
        chunks.push_back({ky, ky + 1, kx, std::min(g.kw, kx + columns), 0, 1});
    }
    return in_c;
  }
  const int group = static_cast<int>(kChunkBytes / w_step);
  const int split = (in_c + group - 1) / group;
  for (int ky = 0; ky < g.kh; ++ky) {
    for (int kx = 0; kx < g.kw; ++kx) {
      for (int c = 0; c < split; ++c) chunks.push_back({ky, ky + 1, kx, kx + 1, c, c + 1});
    }
  }
  return group;
}

// The rows a run reads, rows [iy0, iy0 + rows) of the input, compacted into s.x and s.index; segment (ix, c)
// of row r (column ix, channels [c·group, (c + 1)·group)) starts at entry s.segment[r·segments + ix·groups +
// c], segments = input.w·groups + 1. Returns the signs of the inputs read (see input_signs).
InputSigns compact_rows(const TensorF& input, int iy0, std::size_t rows, int group, std::size_t groups,
                        Path path, MinScratch& s) {
  const std::size_t row_len = static_cast<std::size_t>(input.w) * input.c;
  const std::size_t segments = static_cast<std::size_t>(input.w) * groups + 1;
  s.x.resize(std::max(s.x.size(), rows * row_len + 8));  // room for compact_avx512
  s.index.resize(s.x.size());
  s.segment.resize(rows * segments);
  std::size_t n = 0;
  InputSigns signs;
  const auto compact_run = [&](const float* v, std::size_t count, std::size_t first) {
#ifdef MINCONV_GOLDEN_AVX2
    n = path == Path::kAvx512 ? compact_avx512(v, count, first, s.x.data(), s.index.data(), n, signs)
                              : compact(v, count, first, s.x.data(), s.index.data(), n, signs);
#else
    (void)path;
    n = compact(v, count, first, s.x.data(), s.index.data(), n, signs);
#endif
  };
  const bool long_segments = std::min(group, input.c) >= 32;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = &input.data[input.index(iy0 + static_cast<int>(r), 0, 0)];
    std::size_t* segment = &s.segment[r * segments];
    if (long_segments) {  // each segment compacted on its own: it starts where the entries are
      for (std::size_t ix = 0; ix < static_cast<std::size_t>(input.w); ++ix) {
        for (std::size_t c = 0; c < groups; ++c) {
          *segment++ = n;
          const std::size_t first = ix * input.c + c * group;
          compact_run(row + first, std::min<std::size_t>(group, input.c - c * group), first);
        }
      }
    } else {  // the row in one, the segments' starts counted from the row (loops of a fixed length; a loop
              // over the entries would end mispredicted at almost every short segment)
      std::size_t e = n;
      compact_run(row, row_len, 0);
      for (std::size_t ix = 0; ix < static_cast<std::size_t>(input.w); ++ix) {
        for (std::size_t c = 0; c < groups; ++c) {
          *segment++ = e;
          const std::size_t first = ix * input.c + c * group;
          const std::size_t len = std::min<std::size_t>(group, input.c - c * group);
          for (std::size_t i = 0; i < len; ++i) e += row[first + i] != 0.0f ? 1 : 0;  // as compact() keeps
        }
      }
    }
    *segment = n;
  }
  return signs;
}

// The slices of output pixels [p0, p0 + pixels) (row-major, `width` per row) in each chunk, into s.slices (kh
// per chunk and pixel) and s.counts (how many); the same for every block. iy0: the first compacted row.
void tile_slices(const TensorF& input, const ConvGeometry& g, int iy0, std::size_t groups, long p0,
                 std::size_t pixels, long width, MinScratch& s) {
  const std::size_t chunks = s.chunks.size(), segments = static_cast<std::size_t>(input.w) * groups + 1;
  s.slices.resize(chunks * pixels * g.kh);
  s.counts.resize(chunks * pixels);
  for (std::size_t c = 0; c < chunks; ++c) {
    const Chunk& ch = s.chunks[c];
    for (std::size_t p = 0; p < pixels; ++p) {
      const long pixel = p0 + static_cast<long>(p);
      const int oy = static_cast<int>(pixel / width), ox = static_cast<int>(pixel % width);
      const int x0 = ox * g.stride_w - g.pad_left;  // input column of kx = 0
      const int lo = std::max(0, x0 + ch.kx0), hi = std::min(input.w, x0 + ch.kx1);
      int& count = s.counts[c * pixels + p];
      count = 0;
      if (lo >= hi) continue;
      // Columns [lo, hi), channel groups [c0, c1): segments lo·groups + c0 to (hi - 1)·groups + c1.
      const std::size_t q0 = lo * groups + ch.c0, q1 = (hi - 1) * groups + ch.c1;
      Slice* slices = &s.slices[(c * pixels + p) * g.kh];
      for (int ky = ch.ky0; ky < ch.ky1; ++ky) {
        const int iy = oy * g.stride_h + ky - g.pad_top;
        if (iy < 0 || iy >= input.h) continue;
        const std::size_t* segment = &s.segment[static_cast<std::size_t>(iy - iy0) * segments];
        const std::size_t e0 = segment[q0], e1 = segment[q1];
        if (e0 == e1) continue;
        const std::ptrdiff_t off = (static_cast<std::ptrdiff_t>(ky) * g.kw - x0) * input.c;
        slices[count++] = Slice{&s.x[e0], &s.index[e0], e1 - e0, off};
      }
    }
  }
}

// min_sums for blocks of `lanes` = 4·V output channels, V in [2, 12].
using MinSums = void (*)(const double*, const double*, const Slice*, int, bool, Path, double*);
constexpr MinSums kMinSums[] = {min_sums<2>,  min_sums<3>,  min_sums<4>, min_sums<5>,
                                min_sums<6>,  min_sums<7>,  min_sums<8>, min_sums<9>,
                                min_sums<10>, min_sums<11>, min_sums<12>};

}  // namespace

// MinConv, channels in the lanes (see the top of the file): the input rows that output rows [oy0, oy1) read,
// compacted once; then per tile of pixels, their slices, and block by block the sums, chunk after chunk.
void FloatConvKernel::min_rows(const TensorF& input, const std::vector<float>& bias, const ConvGeometry& g,
                               FloatConvPath path, int oy0, int oy1, TensorF& out) const {
  const int blocks = (out_c_ + lanes_ - 1) / lanes_;
  MinScratch& s = min_scratch();
  const bool one_pixel = static_cast<long>(oy1 - oy0) * out.w == 1;  // nothing to reuse W for (fc layers)
  const int group = plan_chunks(g, input.c, k_, sizeof(double) * lanes_, one_pixel, s.chunks);
  const std::size_t groups = (static_cast<std::size_t>(input.c) + group - 1) / group;
  const int iy0 = std::max(0, oy0 * g.stride_h - g.pad_top);
  const int iy1 = std::min(input.h, (oy1 - 1) * g.stride_h - g.pad_top + g.kh);
  const InputSigns signs =
      compact_rows(input, iy0, static_cast<std::size_t>(std::max(0, iy1 - iy0)), group, groups, path, s);
  if (signs.nan && path == Path::kAvx512) path = Path::kAvx2;
  const MinSums sums = kMinSums[lanes_ / 4 - 2];
  const std::size_t chunks = s.chunks.size();
  const long width = out.w, end = oy1 * width;
  for (long p0 = oy0 * width; p0 < end; p0 += kTilePixels) {
    const std::size_t pixels = static_cast<std::size_t>(std::min(kTilePixels, end - p0));
    tile_slices(input, g, iy0, groups, p0, pixels, width, s);
    s.acc.resize(pixels * lanes_);
    for (int b = 0; b < blocks; ++b) {
      std::fill(s.acc.begin(), s.acc.end(), 0.0);
      const double *w = block_scaled(b, 0), *mu = block_mu(b);
      for (std::size_t c = 0; c < chunks; ++c) {
        for (std::size_t p = 0; p < pixels; ++p) {
          const int count = s.counts[c * pixels + p];
          if (count == 0) continue;
          sums(w, mu, &s.slices[(c * pixels + p) * g.kh], count, signs.negative, path, &s.acc[p * lanes_]);
        }
      }
      for (std::size_t p = 0; p < pixels; ++p) {
        const long pixel = p0 + static_cast<long>(p);
        float* dst = &out.at(static_cast<int>(pixel / width), static_cast<int>(pixel % width), 0);
        for (int j = 0, o = b * lanes_; j < lanes_ && o < out_c_; ++j, ++o) {
          dst[o] = static_cast<float>(s.acc[p * lanes_ + j] + (bias.empty() ? 0.0 : bias[o]));
        }
      }
    }
  }
}

// MinConv, AVX-512, stride_w 1 and short kernel rows (layers with few input channels, where the steps of a
// window are few and the channel path's cost per pixel dominates): the output pixels in the lanes, kPixels
// (32) at a time, one output channel after the other; the input rows converted to double once, one row per
// channel, zero-padded left and right. No zero input is left out (there is no per-pixel window); a zero's
// term is ±0.
void FloatConvKernel::min_rows_pixels(const TensorF& input, const std::vector<float>& bias,
                                      const ConvGeometry& g, bool negative, int oy0, int oy1,
                                      TensorF& out) const {
#ifdef MINCONV_GOLDEN_AVX2
  MinScratch& s = min_scratch();
  const int iy0 = std::max(0, oy0 * g.stride_h - g.pad_top);
  const int iy1 = std::min(input.h, (oy1 - 1) * g.stride_h - g.pad_top + g.kh);
  const std::size_t rows = static_cast<std::size_t>(std::max(0, iy1 - iy0)), channels = input.c;
  const std::size_t groups = (out.w + kPixels - 1) / kPixels;
  const std::size_t pitch = groups * kPixels + g.kw - 1;  // padded columns: pixel ox reads ox .. ox + kw - 1
  s.padded.resize(rows * channels * pitch);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* in = &input.data[input.index(iy0 + static_cast<int>(r), 0, 0)];
    for (std::size_t c = 0; c < channels; ++c) {
      double* x = &s.padded[(r * channels + c) * pitch];
      std::fill(x, x + g.pad_left, 0.0);
      for (int ix = 0; ix < input.w; ++ix) x[g.pad_left + ix] = in[ix * channels + c];
      std::fill(x + g.pad_left + input.w, x + pitch, 0.0);
    }
  }
  std::vector<const double*> row(g.kh);
  double sums[kPixels];
  for (int oy = oy0; oy < oy1; ++oy) {
    for (int ky = 0; ky < g.kh; ++ky) {
      const int iy = oy * g.stride_h + ky - g.pad_top;
      row[ky] = iy < 0 || iy >= input.h ? nullptr
                                        : &s.padded[static_cast<std::size_t>(iy - iy0) * channels * pitch];
    }
    for (std::size_t q = 0; q < groups; ++q) {
      const int ox0 = static_cast<int>(q * kPixels), count = std::min(kPixels, out.w - ox0);
      float* dst = &out.at(oy, ox0, 0);
      for (int o = 0; o < out_c_; ++o) {
        const double* w = block_scaled(o / lanes_, 0) + o % lanes_;
        (negative ? min_pixels_avx512<true> : min_pixels_avx512<false>)(row.data(), g.kh, g.kw, input.c,
                                                                        pitch, ox0, w, lanes_, mu_[o], sums);
        const double b = bias.empty() ? 0.0 : bias[o];
        for (int v = 0; v < count; ++v) dst[v * out_c_ + o] = static_cast<float>(sums[v] + b);
      }
    }
  }
#else
  (void)input, (void)bias, (void)g, (void)negative, (void)oy0, (void)oy1, (void)out;
#endif
}

}  // namespace minconv::golden::detail
