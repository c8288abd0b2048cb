#include "accel/engine/tile_engine.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "accel/engine/fold_kernel.h"

namespace minconv::accel {

namespace ra = regs::accel;

namespace {
// Saturating product, so that absurd descriptor values cannot wrap around the overflow checks.
uint64_t mul_sat(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return std::numeric_limits<uint64_t>::max();
  return a * b;
}

// [offset, offset + bytes) inside a buffer of `size` bytes.
bool fits(uint64_t offset, uint64_t bytes, uint64_t size) { return offset <= size && bytes <= size - offset; }

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

ra::ErrorCode validate(const TileDescriptor& d, const AccelParams& p) {
  if (d.in_h == 0 || d.in_w == 0 || d.in_c == 0 || d.out_h == 0 || d.out_w == 0 || d.out_c == 0 ||
      d.kh == 0 || d.kw == 0 || d.stride_h == 0 || d.stride_w == 0) {
    return ra::kErrBadShape;
  }
  if (d.kh > kMaxKernelSide || d.kw > kMaxKernelSide || d.stride_h > kMaxStrideValue ||
      d.stride_w > kMaxStrideValue || d.pad_top >= d.kh || d.pad_bottom >= d.kh || d.pad_left >= d.kw ||
      d.pad_right >= d.kw) {
    return ra::kErrUnsupported;
  }
  const uint64_t padded_h = uint64_t{d.in_h} + d.pad_top + d.pad_bottom;
  const uint64_t padded_w = uint64_t{d.in_w} + d.pad_left + d.pad_right;
  if (padded_h < d.kh || padded_w < d.kw) return ra::kErrBadShape;
  if (d.out_h > (padded_h - d.kh) / d.stride_h + 1 || d.out_w > (padded_w - d.kw) / d.stride_w + 1) {
    return ra::kErrBadShape;
  }
  if (d.pooled()) {
    if (d.pool_mode > ra::kPoolAvg || !p.pooling || d.pool_k < 1 || d.pool_k > kMaxPoolSide ||
        d.pool_stride < 1 || d.pool_stride > d.pool_k || d.raw_output) {
      return ra::kErrUnsupported;
    }
    if (d.out_h < d.pool_k || d.out_w < d.pool_k) return ra::kErrBadShape;
  }
  if (d.psum_out && (d.pooled() || d.relu || d.raw_output)) return ra::kErrUnsupported;
  if (d.k_steps() > static_cast<uint64_t>(golden::max_reduction(p.pe))) return ra::kErrReduction;
  const uint64_t in_bytes = mul_sat(mul_sat(d.in_h, d.in_w), d.in_c);
  if (!fits(d.in_addr, in_bytes, p.input_buffer_bytes)) return ra::kErrInOverflow;
  const uint64_t wt_bytes = mul_sat(mul_sat(d.out_c, uint64_t{d.kh} * d.kw), d.in_c);
  if (!fits(d.wt_addr, wt_bytes, p.weight_buffer_bytes) ||
      (!d.psum_out && !fits(d.q_addr, mul_sat(d.out_c, ra::kPostScaleBytes), p.weight_buffer_bytes))) {
    return ra::kErrWtOverflow;
  }
  if (!fits(d.out_addr, d.output_buffer_use(), p.output_buffer_bytes)) return ra::kErrOutOverflow;
  return ra::kErrNone;
}

ra::ErrorCode validate_post_scale(const std::vector<ra::PostScale>& post, bool raw_output) {
  if (raw_output) return ra::kErrNone;  // PSUM_OUT tiles have no records to check
  for (const ra::PostScale& q : post) {
    if (q.multiplier < 0 || q.shift < 1 || q.shift > 62) return ra::kErrBadPostScale;
  }
  return ra::kErrNone;
}

uint64_t fold_cycles(unsigned rows, unsigned cols, uint64_t k_steps) {
  // K: one operand step per cycle; R: the drains of two folds share the output port; C: a row's result
  // registers are written over C cycles and read in one, before the next fold overwrites them.
  return std::max<uint64_t>({k_steps, rows, cols});
}

uint64_t fold_latency(unsigned rows, unsigned cols, uint64_t k_steps) {
  return k_steps + rows + cols - 1;  // the last PE's last step (K + R + C - 2), then the last row's drain
}

uint64_t fold_count(unsigned rows, unsigned cols, uint64_t out_c, uint64_t pixels) {
  return ceil_div(out_c, rows) * ceil_div(pixels, cols);
}

uint64_t tile_cycles(unsigned rows, unsigned cols, uint64_t k_steps, uint64_t out_c, uint64_t pixels) {
  const uint64_t folds = fold_count(rows, cols, out_c, pixels);
  if (folds == 0) return kTileSetupCycles + kTilePostCycles;
  return kTileSetupCycles + (folds - 1) * fold_cycles(rows, cols, k_steps) +
         fold_latency(rows, cols, k_steps) + kTilePostCycles;
}

uint64_t pool_cycles(const TileDescriptor& d, unsigned cols) {
  if (d.pool_mode == ra::kPoolMax) return 1;
  if (d.pool_mode == ra::kPoolAvg) return 1 + ceil_div(d.final_h() * d.final_w() * d.out_c, cols);
  return 0;
}

std::vector<uint8_t> pool_tile(const TileDescriptor& d, const std::vector<uint8_t>& conv) {
  const uint64_t ph = d.final_h(), pw = d.final_w(), C = d.out_c, k = d.pool_k, s = d.pool_stride;
  std::vector<uint8_t> out(ph * pw * C);
  const int64_t n = static_cast<int64_t>(k * k);
  for (uint64_t y = 0; y < ph; ++y) {
    for (uint64_t x = 0; x < pw; ++x) {
      for (uint64_t c = 0; c < C; ++c) {
        int64_t best = -128, sum = 0;
        for (uint64_t wy = 0; wy < k; ++wy) {
          for (uint64_t wx = 0; wx < k; ++wx) {
            const int64_t v = static_cast<int8_t>(conv[((y * s + wy) * d.out_w + x * s + wx) * C + c]);
            best = std::max(best, v);
            sum += v;
          }
        }
        const int64_t mag = (2 * (sum < 0 ? -sum : sum) + n) / (2 * n);  // round half away from zero
        const int64_t v = d.pool_mode == ra::kPoolMax ? best : (sum < 0 ? -mag : mag);
        out[(y * pw + x) * C + c] = static_cast<uint8_t>(static_cast<int8_t>(v));
      }
    }
  }
  return out;
}

int32_t pe_step(PeKind pe, int8_t a, int8_t b) {
  if (pe == PeKind::kMul) return int32_t{a} * int32_t{b};
  if (a == 0 || b == 0) return 0;
  const int32_t mag = std::min(a < 0 ? -int32_t{a} : int32_t{a}, b < 0 ? -int32_t{b} : int32_t{b});
  return (a < 0) != (b < 0) ? -mag : mag;
}

int8_t post_scale_int8(int32_t acc, const ra::PostScale& q, bool relu) {
  // |t| <= 2^32 and 0 <= M < 2^31, so |t * M| < 2^63; |p| + 2^(n-1) < 2^64 for n <= 62.
  const int64_t t = int64_t{acc} + q.bias;
  const int64_t p = t * int64_t{q.multiplier};
  const uint64_t mag = p < 0 ? uint64_t{0} - static_cast<uint64_t>(p) : static_cast<uint64_t>(p);
  const unsigned n = static_cast<unsigned>(q.shift);
  const uint64_t rounded = (mag + (uint64_t{1} << (n - 1))) >> n;
  int64_t v = rounded > 127 ? 127 : static_cast<int64_t>(rounded);
  if (p < 0) v = -v;
  if (relu && v < 0) v = 0;
  return static_cast<int8_t>(v);
}

int32_t post_scale_raw(int32_t acc, const ra::PostScale& q, bool relu) {
  int64_t t = int64_t{acc} + q.bias;
  t = std::clamp<int64_t>(t, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  if (relu && t < 0) t = 0;
  return static_cast<int32_t>(t);
}

namespace {

// Weights of the fold's channels o0 .. o0 + rows - 1: filter o0 + r is contiguous in the weight buffer.
void fold_weights(const TileJob& job, uint64_t o0, unsigned rows, std::vector<int8_t>& w) {
  const uint64_t K = job.desc.k_steps();
  std::fill(w.begin(), w.end(), int8_t{0});
  std::copy_n(job.weights.begin() + static_cast<std::ptrdiff_t>(o0 * K), rows * K, w.begin());
}

// n bytes from src to dst: the short runs of first layers (a few bytes) without a call to memmove.
void copy_run(const int8_t* src, size_t n, int8_t* dst) {
  if (n > 16) {
    std::memcpy(dst, src, n);
    return;
  }
  for (size_t i = 0; i < n; ++i) dst[i] = src[i];
}

// Inputs of the fold's pixels p0 .. p0 + cols - 1: step k = (ky * kw + kx) * in_c + ci of each pixel's
// window, zero outside the tile (virtual padding).
void fold_inputs(const TileJob& job, uint64_t p0, unsigned cols, std::vector<int8_t>& x) {
  const TileDescriptor& d = job.desc;
  const uint64_t K = d.k_steps();
  std::fill(x.begin(), x.end(), int8_t{0});
  for (unsigned c = 0; c < cols; ++c) {
    const uint64_t p = p0 + c;
    const int64_t y0 = static_cast<int64_t>(p / d.out_w) * d.stride_h - d.pad_top;
    const int64_t x0 = static_cast<int64_t>(p % d.out_w) * d.stride_w - d.pad_left;
    // The window's columns inside the tile, kx0 .. kx1 - 1: one run of (kx1 - kx0) * in_c bytes per row
    // (HWC).
    const int64_t kx0 = std::max<int64_t>(0, -x0), kx1 = std::min<int64_t>(d.kw, int64_t{d.in_w} - x0);
    if (kx0 >= kx1) continue;
    const size_t span = static_cast<size_t>(kx1 - kx0) * d.in_c;
    int8_t* col = &x[size_t{c} * K] + static_cast<size_t>(kx0) * d.in_c;
    for (unsigned ky = 0; ky < d.kh; ++ky) {
      const int64_t y = y0 + ky;
      if (y < 0 || y >= d.in_h) continue;
      const size_t src = (static_cast<size_t>(y) * d.in_w + static_cast<size_t>(x0 + kx0)) * d.in_c;
      copy_run(&job.input[src], span, col + size_t{ky} * d.kw * d.in_c);
    }
  }
}

// The accumulator plus the partial sum PSUM_IN reads: two's complement, as the drain's adder.
int32_t add_psum(const TileJob& job, uint64_t index, int32_t acc) {
  if (!job.desc.psum_in) return acc;
  return static_cast<int32_t>(static_cast<uint32_t>(acc) + static_cast<uint32_t>(job.psum[index]));
}

// Drains a fold's accumulators (plus the partial sums, PSUM_IN) into the output image (HWC): as int32
// partial sums (PSUM_OUT) or through the post-scale units.
void drain_fold(const TileJob& job, const std::vector<int32_t>& acc, uint64_t o0, unsigned rows, uint64_t p0,
                unsigned cols, TileResult& result) {
  const TileDescriptor& d = job.desc;
  const unsigned C = job.array.cols;
  const unsigned out_size = d.raw_output || d.psum_out ? 4 : 1;
  for (unsigned r = 0; r < rows; ++r) {
    const uint64_t o = o0 + r;
    for (unsigned c = 0; c < cols; ++c) {
      const uint64_t index = (p0 + c) * d.out_c + o;
      const int32_t a = add_psum(job, index, acc[size_t{r} * C + c]);
      uint8_t* dst = &result.output[index * out_size];
      if (d.psum_out) {
        std::memcpy(dst, &a, 4);  // the host is little endian, as the bus
        continue;
      }
      const ra::PostScale& q = job.post[o];
      if (d.raw_output) {
        const int32_t v = post_scale_raw(a, q, d.relu);
        std::memcpy(dst, &v, 4);  // the host is little endian, as the bus
      } else {
        const int8_t v = post_scale_int8(a, q, d.relu);
        std::memcpy(dst, &v, 1);
      }
    }
  }
}

}  // namespace

TileResult FoldEngine::run(const TileJob& job) {
  const TileDescriptor& d = job.desc;
  const unsigned R = job.array.rows, C = job.array.cols;
  const uint64_t K = d.k_steps();
  const uint64_t pixels = d.pixels();
  TileResult result;
  result.output.assign(pixels * d.out_c * (d.raw_output || d.psum_out ? 4 : 1), 0);
  const uint64_t post_bytes = d.psum_out ? 0 : ra::kPostScaleBytes;  // records read per drained row
  const uint64_t psum_bytes = d.psum_in ? 4 : 0;                     // partial-sum bytes read per value
  result.cycles = kTileSetupCycles;
  std::vector<int8_t> weights(size_t{R} * K), inputs(size_t{C} * K);
  for (uint64_t o0 = 0; o0 < d.out_c; o0 += R) {
    const unsigned rows = static_cast<unsigned>(std::min<uint64_t>(R, d.out_c - o0));
    fold_weights(job, o0, rows, weights);
    for (uint64_t p0 = 0; p0 < pixels; p0 += C) {
      const unsigned cols = static_cast<unsigned>(std::min<uint64_t>(C, pixels - p0));
      fold_inputs(job, p0, cols, inputs);
      drain_fold(job, accumulate(job.array, weights, inputs, K), o0, rows, p0, cols, result);
      result.counters.folds += 1;
      result.counters.macs += uint64_t{rows} * cols * K;
      result.counters.buf_read_bytes +=
          (uint64_t{rows} + cols) * K + post_bytes * rows + psum_bytes * rows * cols;
      result.cycles += fold_cycles(R, C, K);  // the next fold starts P cycles after this one
    }
  }
  // The last fold's latency instead of its P: fill and drain are paid once per tile.
  result.cycles += fold_latency(R, C, K) - fold_cycles(R, C, K) + kTilePostCycles + pool_cycles(d, C);
  // Every post-scaled output is written (pooling: merged into its window's entry, int32 sums for average).
  result.counters.buf_write_bytes = result.output.size() * (d.pool_mode == ra::kPoolAvg ? 4 : 1);
  if (d.pooled()) {
    result.output = pool_tile(d, result.output);
    if (d.pool_mode == ra::kPoolAvg) result.counters.buf_write_bytes += result.output.size();
  }
  return result;
}

std::vector<int32_t> CppTileEngine::accumulate(const ArrayShape& array, const std::vector<int8_t>& weights,
                                               const std::vector<int8_t>& inputs, uint64_t K) {
  std::vector<int32_t> acc(size_t{array.rows} * array.cols);
  accumulate_fold(array.pe, weights.data(), array.rows, inputs.data(), array.cols, K, acc.data(), scratch_);
  return acc;
}

}  // namespace minconv::accel
