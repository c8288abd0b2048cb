#pragma once
// The PE-array engine of the accelerator: computes one tile, fold by fold, as the output-stationary
// systolic array of docs/accelerator.md does. The Accelerator decodes and validates the descriptor,
// snapshots the operands into a TileJob and hands it to a TileEngine; the C++ engine is CppTileEngine,
// an RTL engine (the Verilated PE array behind a bridge) implements the same interface.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "accel/accel_params.h"
#include "accel/engine/fold_kernel.h"
#include "sw/golden/int8_ops.h"
#include "sw/hal/regs/accel_regs.h"

namespace sc_core {
class sc_trace_file;
}

namespace minconv::accel {

// The tile descriptor registers, decoded (regs::accel::unpack), with the sizes derived from them.
struct TileDescriptor : regs::accel::TileDesc {
  TileDescriptor() = default;
  explicit TileDescriptor(const regs::accel::TileDesc& d) : regs::accel::TileDesc(d) {}

  uint64_t k_steps() const { return uint64_t{kh} * kw * in_c; }
  uint64_t pixels() const { return uint64_t{out_h} * out_w; }
  uint64_t input_bytes() const { return uint64_t{in_h} * in_w * in_c; }
  uint64_t weight_bytes() const { return uint64_t{out_c} * k_steps(); }
  uint64_t post_bytes() const { return uint64_t{out_c} * regs::accel::kPostScaleBytes; }
  bool pooled() const { return pool_mode != regs::accel::kPoolNone; }
  // The outputs that leave the array: the pooled tile when pooling is on, else the conv tile.
  uint64_t final_h() const { return pooled() ? (out_h - pool_k) / pool_stride + 1 : out_h; }
  uint64_t final_w() const { return pooled() ? (out_w - pool_k) / pool_stride + 1 : out_w; }
  // What the tile leaves at out_addr: int32 partial sums (PSUM_OUT), else its outputs.
  uint64_t output_bytes() const {
    return psum_out ? psum_bytes() : final_h() * final_w() * out_c * (raw_output ? 4 : 1);
  }
  // The int32 partial sums of the conv tile (out_h x out_w x out_c, HWC) that PSUM_IN reads and PSUM_OUT
  // writes at out_addr.
  uint64_t psum_bytes() const { return pixels() * out_c * 4; }
  // Bytes of the output buffer the tile uses: average pooling keeps int32 window sums there until the
  // windows are complete; the partial sums it reads are overwritten in place.
  uint64_t output_buffer_use() const {
    const uint64_t out = pool_mode == regs::accel::kPoolAvg ? output_bytes() * 4 : output_bytes();
    return psum_in ? std::max(out, psum_bytes()) : out;
  }
};

// kErrNone if the descriptor can run on an accelerator with these parameters, else the first problem
// found: shape (zero dimension, output larger than the padded input allows), then support (kernel, stride,
// padding, pooling, PSUM_OUT with pooling, ReLU or raw output), then the reduction length
// (golden::max_reduction of the PE kind), then buffer overflows (input, weights and post-scale records,
// output).
regs::accel::ErrorCode validate(const TileDescriptor& d, const AccelParams& p);

// kErrBadPostScale if an int8-output tile has a post-scale record outside 0 <= M < 2^31, 1 <= n <= 62
// (raw int32 output uses only the bias), else kErrNone.
regs::accel::ErrorCode validate_post_scale(const std::vector<regs::accel::PostScale>& post, bool raw_output);

// Geometry of the PE array a job runs on.
struct ArrayShape {
  PeKind pe = PeKind::kMin;
  unsigned rows = 8, cols = 8;
};

// One tile: a valid descriptor and snapshots of its operands.
struct TileJob {
  TileDescriptor desc;
  ArrayShape array;
  std::vector<int8_t> input;                 // in_h x in_w x in_c, HWC
  std::vector<int8_t> weights;               // out_c x kh x kw x in_c
  std::vector<regs::accel::PostScale> post;  // out_c records (none when PSUM_OUT: the unit is not used)
  std::vector<int32_t> psum;                 // PSUM_IN: out_h x out_w x out_c partial sums, HWC
};

struct TileCounters {
  uint64_t folds = 0;
  uint64_t macs = 0;             // = active PE cycles
  uint64_t buf_read_bytes = 0;   // operand and post-scale bytes read from the local buffers
  uint64_t buf_write_bytes = 0;  // output bytes written
};

struct TileResult {
  std::vector<uint8_t> output;  // out_h x out_w x out_c, HWC, int8 or little-endian int32 (raw output)
  uint64_t cycles = 0;          // T_tile in accelerator cycles
  TileCounters counters;
};

// Timing (docs/accelerator.md "Dataflow"): folds run back to back on the double-buffered array, one every
// P = max(K, R, C) cycles; the last one takes K + R + C - 1 cycles from its start to its last drained row:
//   T_tile = T_setup + (folds - 1) * P + (K + R + C - 1) + T_post + T_pool,   T_setup = 4, T_post = 3.
constexpr uint64_t kTileSetupCycles = 4;
constexpr uint64_t kTilePostCycles = 3;
// P: cycles from one fold's start to the next one's in a tile (what each fold but the last costs).
// T_pool: 0 without pooling; max pooling 1 (the compare stage flushes); average pooling 1 + a pass that
// divides the window sums, C per cycle: ceil(pooled outputs / C).
uint64_t pool_cycles(const TileDescriptor& d, unsigned cols);
uint64_t fold_cycles(unsigned rows, unsigned cols, uint64_t k_steps);
// K + R + C - 1: cycles of one fold from its start to its last drained row (fill, compute and drain).
uint64_t fold_latency(unsigned rows, unsigned cols, uint64_t k_steps);
uint64_t fold_count(unsigned rows, unsigned cols, uint64_t out_c, uint64_t pixels);
uint64_t tile_cycles(unsigned rows, unsigned cols, uint64_t k_steps, uint64_t out_c, uint64_t pixels);

class TileEngine {
 public:
  virtual ~TileEngine() = default;
  // Computes the tile. Called from the accelerator's SC_THREAD: an engine may consume simulated time
  // itself (wait()); the accelerator waits only for what remains of result.cycles afterwards.
  virtual TileResult run(const TileJob& job) = 0;
  // Engine-specific statistics for the accelerator's stats_json() (null: none).
  virtual nlohmann::json stats_json() const { return nullptr; }
  // Engine-internal signals into a trace file (before the simulation starts); nothing by default.
  virtual void trace(sc_core::sc_trace_file* /*file*/) const {}
};

// The fold loop every engine shares: the tile is cut into folds (channel groups outer, pixel groups inner);
// each fold's operands are laid out as the array's edges see them (weights [r][k], one filter per row; inputs
// [c][k], the im2col window of each column's pixel with virtual zero padding; rows and columns beyond the
// tile are zeros), `accumulate` computes the fold's R x C accumulators, and the drain runs them through the
// post-scale units (int64 bias add, requantization with round-half-away, ReLU, raw int32). The accumulate
// step is the only thing an engine provides.
class FoldEngine : public TileEngine {
 public:
  TileResult run(const TileJob& job) override;

 protected:
  // The R x C accumulators [r * C + c] of one fold (two's complement int32, as the hardware's adders).
  virtual std::vector<int32_t> accumulate(const ArrayShape& array, const std::vector<int8_t>& weights,
                                          const std::vector<int8_t>& inputs, uint64_t k_steps) = 0;
};

// The C++ datapath: a pass of K steps over the R x C accumulators (accel/engine/fold_kernel.h).
class CppTileEngine : public FoldEngine {
 protected:
  std::vector<int32_t> accumulate(const ArrayShape& array, const std::vector<int8_t>& weights,
                                  const std::vector<int8_t>& inputs, uint64_t k_steps) override;

 private:
  FoldScratch scratch_;
};

// The pooling unit: pools an out_h x out_w x out_c int8 tile (HWC) with the descriptor's window into
// final_h x final_w x out_c. Max: the largest value of the window; average: the window sum divided by k*k,
// rounded half away from zero (the golden rule, docs/accelerator.md).
std::vector<uint8_t> pool_tile(const TileDescriptor& d, const std::vector<uint8_t>& conv);

// One PE step and one post-scale unit, exposed for unit tests.
int32_t pe_step(PeKind pe, int8_t a, int8_t b);
// t = acc + bias; int8: clamp(round_half_away(t * M / 2^n), -127, 127); int32: saturate(t); then ReLU.
int8_t post_scale_int8(int32_t acc, const regs::accel::PostScale& q, bool relu);
int32_t post_scale_raw(int32_t acc, const regs::accel::PostScale& q, bool relu);

}  // namespace minconv::accel
