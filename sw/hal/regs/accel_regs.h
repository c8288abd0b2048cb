#pragma once
// MinConv accelerator register map: the one description shared by the accelerator model (accel/), the
// driver (sw/), the tests and docs/accelerator.md (generated from kBlock). All registers are 32 bit, little
// endian, 4-byte aligned.
#include <array>
#include <cstdint>

#include "sw/golden/pe_kind.h"
#include "sw/hal/regs/regmap.h"

namespace minconv::regs::accel {

// --- Offsets ---
// Identity and capabilities (read only).
constexpr uint32_t kId = 0x000;
constexpr uint32_t kVersion = 0x004;
constexpr uint32_t kPeKind = 0x008;  // a golden::PeKind
constexpr uint32_t kRows = 0x00C;
constexpr uint32_t kCols = 0x010;
constexpr uint32_t kClockKhz = 0x014;
constexpr uint32_t kInBufOffset = 0x018;
constexpr uint32_t kInBufBytes = 0x01C;
constexpr uint32_t kWtBufOffset = 0x020;
constexpr uint32_t kWtBufBytes = 0x024;
constexpr uint32_t kOutBufOffset = 0x028;
constexpr uint32_t kOutBufBytes = 0x02C;
constexpr uint32_t kMaxKernel = 0x030;
constexpr uint32_t kMaxStride = 0x034;
constexpr uint32_t kMaxPool = 0x038;
// Control and status.
constexpr uint32_t kCtrl = 0x040;
constexpr uint32_t kStatus = 0x044;
constexpr uint32_t kIrqEnable = 0x048;
// Tile descriptor (read/write), kInAddr .. kPool, kDescWords consecutive words.
constexpr uint32_t kInAddr = 0x080;
constexpr uint32_t kInShape = 0x084;
constexpr uint32_t kInC = 0x088;
constexpr uint32_t kPad = 0x08C;
constexpr uint32_t kKernel = 0x090;
constexpr uint32_t kOutShape = 0x094;
constexpr uint32_t kOutC = 0x098;
constexpr uint32_t kWtAddr = 0x09C;
constexpr uint32_t kQAddr = 0x0A0;
constexpr uint32_t kOutAddr = 0x0A4;
constexpr uint32_t kFlags = 0x0A8;
constexpr uint32_t kPool = 0x0AC;
constexpr uint32_t kDescWords = (kPool - kInAddr) / 4 + 1;
// Performance counters (read only, 64 bit as lo/hi pairs; reading lo latches hi).
constexpr uint32_t kCntBusyLo = 0x100;
constexpr uint32_t kCntActiveLo = 0x108;
constexpr uint32_t kCntStallLo = 0x110;
constexpr uint32_t kCntBufReadLo = 0x118;
constexpr uint32_t kCntBufWriteLo = 0x120;
constexpr uint32_t kCntTilesLo = 0x128;
constexpr uint32_t kCntFoldsLo = 0x130;
constexpr uint32_t kHiOffset = 0x4;
constexpr uint32_t kNumCounters = (kCntFoldsLo - kCntBusyLo) / 8 + 1;

constexpr uint32_t kCsrSize = 0x200;  // bytes of CSR space

constexpr uint32_t kIdValue = 0x4D434E56;  // "MCNV"
constexpr uint32_t kVersionValue = 3;  // 2: pooling in the output path (kMaxPool, kPool); 3: PSUM_IN/PSUM_OUT
constexpr uint32_t kPeMin = static_cast<uint32_t>(golden::PeKind::kMin);
constexpr uint32_t kPeMul = static_cast<uint32_t>(golden::PeKind::kMul);
constexpr uint32_t kMaxKernelValue = 11;  // the datapath's largest kernel side
constexpr uint32_t kMaxStrideValue = 4;   // the datapath's largest stride
constexpr uint32_t kMaxPoolValue = 4;     // the pooling unit's largest window side (kMaxPool; 0 without one)

// --- Fields ---
namespace field {
constexpr Field kStart{"START", 0, 1, Access::kWO};  // start the tile in the descriptor registers
constexpr Field kResetCounters{"RESET_COUNTERS", 1, 1, Access::kWO};  // zero all performance counters
constexpr Field kLayerBegin{"LAYER_BEGIN", 2, 1, Access::kWO};  // a layer starts: idle cycles count as stalls
constexpr Field kLayerEnd{"LAYER_END", 3, 1, Access::kWO};      // the layer ended: stop counting stalls
constexpr Field kOnDone{"ON_DONE", 0, 1};
constexpr Field kOnError{"ON_ERROR", 1, 1};
constexpr Field kInH{"in_h", 0, 16};
constexpr Field kInW{"in_w", 16, 16};
constexpr Field kPadTop{"top", 0, 8};
constexpr Field kPadLeft{"left", 8, 8};
constexpr Field kPadBottom{"bottom", 16, 8};
constexpr Field kPadRight{"right", 24, 8};
constexpr Field kKh{"kh", 0, 8};
constexpr Field kKw{"kw", 8, 8};
constexpr Field kStrideH{"stride_h", 16, 8};
constexpr Field kStrideW{"stride_w", 24, 8};
constexpr Field kOutH{"out_h", 0, 16};
constexpr Field kOutW{"out_w", 16, 16};
constexpr Field kRelu{"RELU", 0, 1};
constexpr Field kRawOutput{"RAW_OUTPUT", 1, 1};  // write acc + bias as int32, no requantization
constexpr Field kPsumIn{"PSUM_IN", 2, 1};        // accumulators start from the int32 partial sums at OUT_ADDR
constexpr Field kPsumOut{"PSUM_OUT", 3, 1};    // write the accumulators as int32 partial sums, no post-scale
constexpr Field kPoolMode{"mode", 0, 2};       // PoolMode: pooling after the post-scale
constexpr Field kPoolK{"k", 8, 8};             // window side
constexpr Field kPoolStride{"stride", 16, 8};  // window step

constexpr Field kCtrl[] = {kStart, kResetCounters, kLayerBegin, kLayerEnd};
constexpr Field kIrqEnable[] = {kOnDone, kOnError};
constexpr Field kInShape[] = {kInH, kInW};
constexpr Field kPad[] = {kPadTop, kPadLeft, kPadBottom, kPadRight};
constexpr Field kKernel[] = {kKh, kKw, kStrideH, kStrideW};
constexpr Field kOutShape[] = {kOutH, kOutW};
constexpr Field kFlags[] = {kRelu, kRawOutput, kPsumIn, kPsumOut};
constexpr Field kPool[] = {kPoolMode, kPoolK, kPoolStride};
}  // namespace field

// Single-bit masks, from the fields.
constexpr uint32_t kCtrlStart = field::kStart.mask();
constexpr uint32_t kCtrlResetCounters = field::kResetCounters.mask();
constexpr uint32_t kCtrlLayerBegin = field::kLayerBegin.mask();
constexpr uint32_t kCtrlLayerEnd = field::kLayerEnd.mask();
using namespace job_status::bits;
constexpr uint32_t kIrqOnDone = field::kOnDone.mask();
constexpr uint32_t kIrqOnError = field::kOnError.mask();
constexpr uint32_t kFlagRelu = field::kRelu.mask();
constexpr uint32_t kFlagRawOutput = field::kRawOutput.mask();
constexpr uint32_t kFlagPsumIn = field::kPsumIn.mask();
constexpr uint32_t kFlagPsumOut = field::kPsumOut.mask();

// --- The table ---
constexpr Register kRegisters[] = {
    {"ID", kId, Access::kRO, kIdValue, {}, "`0x4D434E56` (\"MCNV\")"},
    {"VERSION", kVersion, Access::kRO, kVersionValue, {}, "register map version"},
    {"PE_KIND", kPeKind, Access::kRO, 0, {}, "0 min, 1 mul (`golden::PeKind`)", Reset::kConfig},
    {"ROWS", kRows, Access::kRO, 0, {}, "PE array rows R (output channels in parallel)", Reset::kConfig},
    {"COLS", kCols, Access::kRO, 0, {}, "PE array columns C (output pixels in parallel)", Reset::kConfig},
    {"CLOCK_KHZ", kClockKhz, Access::kRO, 0, {}, "accelerator clock in kHz", Reset::kConfig},
    {"IN_BUF_OFFSET", kInBufOffset, Access::kRO, 0, {}, "input buffer in the SRAM window", Reset::kConfig},
    {"IN_BUF_BYTES", kInBufBytes, Access::kRO, 0, {}, "input buffer bytes (two halves)", Reset::kConfig},
    {"WT_BUF_OFFSET", kWtBufOffset, Access::kRO, 0, {}, "weight + post-scale buffer", Reset::kConfig},
    {"WT_BUF_BYTES", kWtBufBytes, Access::kRO, 0, {}, "weight buffer bytes", Reset::kConfig},
    {"OUT_BUF_OFFSET", kOutBufOffset, Access::kRO, 0, {}, "output buffer", Reset::kConfig},
    {"OUT_BUF_BYTES", kOutBufBytes, Access::kRO, 0, {}, "output buffer bytes", Reset::kConfig},
    {"MAX_KERNEL", kMaxKernel, Access::kRO, kMaxKernelValue, {}, "largest supported kernel side"},
    {"MAX_STRIDE", kMaxStride, Access::kRO, kMaxStrideValue, {}, "largest supported stride"},
    {"MAX_POOL",
     kMaxPool,
     Access::kRO,
     0,
     {},
     "largest pooling window side; 0: no pooling unit",
     Reset::kConfig},
    {"CTRL", kCtrl, Access::kWO, 0, field::kCtrl, "self-clearing actions (reads 0)"},
    {"STATUS", kStatus, Access::kW1C, 0, job_status::kFields, "DONE and ERROR are write-1-to-clear"},
    {"IRQ_ENABLE", kIrqEnable, Access::kRW, 0, field::kIrqEnable, "interrupt on done / on error"},
    {"IN_ADDR", kInAddr, Access::kRW, 0, {}, "input tile offset in the input buffer (HWC int8)"},
    {"IN_SHAPE", kInShape, Access::kRW, 0, field::kInShape, "input tile height and width"},
    {"IN_C", kInC, Access::kRW, 0, {}, "input channels"},
    {"PAD", kPad, Access::kRW, 0, field::kPad, "zero padding"},
    {"KERNEL", kKernel, Access::kRW, 0, field::kKernel, "kernel and stride"},
    {"OUT_SHAPE", kOutShape, Access::kRW, 0, field::kOutShape, "output tile height and width"},
    {"OUT_C", kOutC, Access::kRW, 0, {}, "output channels of the tile"},
    {"WT_ADDR", kWtAddr, Access::kRW, 0, {}, "weights (out_c x kh x kw x in_c) offset in the weight buffer"},
    {"Q_ADDR", kQAddr, Access::kRW, 0, {}, "post-scale records offset in the weight buffer"},
    {"OUT_ADDR", kOutAddr, Access::kRW, 0, {}, "output tile offset in the output buffer (HWC)"},
    {"FLAGS", kFlags, Access::kRW, 0, field::kFlags, "output options"},
    {"POOL", kPool, Access::kRW, 0, field::kPool,
     "pooling of the tile's int8 outputs (mode 0 none, 1 max, 2 avg)"},
    {"CNT_BUSY_LO", kCntBusyLo, Access::kRO, 0, {}, "cycles with a tile in progress (latches HI)"},
    {"CNT_BUSY_HI", kCntBusyLo + kHiOffset, Access::kRO, 0, {}, "high word latched by the LO read"},
    {"CNT_ACTIVE_LO", kCntActiveLo, Access::kRO, 0, {}, "active PE cycles (MACs)"},
    {"CNT_ACTIVE_HI", kCntActiveLo + kHiOffset, Access::kRO, 0, {}, "high word latched by the LO read"},
    {"CNT_STALL_LO", kCntStallLo, Access::kRO, 0, {}, "idle cycles inside LAYER_BEGIN … LAYER_END"},
    {"CNT_STALL_HI", kCntStallLo + kHiOffset, Access::kRO, 0, {}, "high word latched by the LO read"},
    {"CNT_BUF_READ_LO", kCntBufReadLo, Access::kRO, 0, {}, "operand and post-scale bytes read"},
    {"CNT_BUF_READ_HI", kCntBufReadLo + kHiOffset, Access::kRO, 0, {}, "high word latched by the LO read"},
    {"CNT_BUF_WRITE_LO", kCntBufWriteLo, Access::kRO, 0, {}, "output bytes written"},
    {"CNT_BUF_WRITE_HI", kCntBufWriteLo + kHiOffset, Access::kRO, 0, {}, "high word latched by the LO read"},
    {"CNT_TILES_LO", kCntTilesLo, Access::kRO, 0, {}, "tiles completed"},
    {"CNT_TILES_HI", kCntTilesLo + kHiOffset, Access::kRO, 0, {}, "high word latched by the LO read"},
    {"CNT_FOLDS_LO", kCntFoldsLo, Access::kRO, 0, {}, "array folds executed"},
    {"CNT_FOLDS_HI", kCntFoldsLo + kHiOffset, Access::kRO, 0, {}, "high word latched by the LO read"},
};
constexpr Block kBlock{"accel", kRegisters, kCsrSize};
static_assert(well_formed(kRegisters, kCsrSize));

enum ErrorCode : uint32_t {
  kErrNone = 0,
  kErrStartBusy = 1,     // start while a tile is running (the running tile continues)
  kErrBadShape = 2,      // a zero dimension, or output larger than the padded input allows
  kErrUnsupported = 3,   // kernel or stride beyond kMaxKernel / kMaxStride, padding >= kernel, pooling the
                         // unit cannot do (mode 3, window beyond kMaxPool, stride 0 or > window, raw output),
                         // PSUM_OUT with pooling, RELU or RAW_OUTPUT
  kErrInOverflow = 4,    // the input tile does not fit in the input buffer from kInAddr
  kErrWtOverflow = 5,    // weights or post-scale parameters overflow the weight buffer
  kErrOutOverflow = 6,   // the output tile does not fit in the output buffer from kOutAddr
  kErrBadPostScale = 7,  // int8 output with a post-scale record outside 0 <= M < 2^31, 1 <= n <= 62
  kErrReduction = 8,     // K = kh*kw*in_c longer than the int32 accumulators can sum without overflow
};

// What each ErrorCode means, in one place for the model's reports, the driver's exceptions and the docs.
constexpr const char* kErrorNames[] = {"none",
                                       "start while busy",
                                       "bad shape",
                                       "unsupported kernel, stride or padding",
                                       "input buffer overflow",
                                       "weight buffer overflow",
                                       "output buffer overflow",
                                       "bad post-scale record",
                                       "reduction too long for the int32 accumulators"};
constexpr const char* error_name(uint32_t code) {
  return code < sizeof(kErrorNames) / sizeof(kErrorNames[0]) ? kErrorNames[code] : "unknown error";
}

// --- The tile descriptor, as values; pack() and unpack() convert it to and from the kDescWords
// registers kInAddr..kFlags with the fields above (the one place the bits are packed).
struct TileDesc {
  uint32_t in_addr = 0;  // offset inside the input buffer
  uint32_t in_h = 0, in_w = 0, in_c = 0;
  uint32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  uint32_t kh = 1, kw = 1, stride_h = 1, stride_w = 1;
  uint32_t out_h = 0, out_w = 0, out_c = 0;
  uint32_t wt_addr = 0;   // offset inside the weight buffer
  uint32_t q_addr = 0;    // offset inside the weight buffer
  uint32_t out_addr = 0;  // offset inside the output buffer
  bool relu = false;
  bool raw_output = false;
  bool psum_in = false;    // reduction splitting: add to the partial sums at out_addr
  bool psum_out = false;   // reduction splitting: leave partial sums at out_addr (not the last slice)
  uint32_t pool_mode = 0;  // a PoolMode
  uint32_t pool_k = 0, pool_stride = 0;
};

enum PoolMode : uint32_t { kPoolNone = 0, kPoolMax = 1, kPoolAvg = 2 };
using DescWords = std::array<uint32_t, kDescWords>;  // indexed by (offset - kInAddr) / 4

constexpr uint32_t desc_index(uint32_t offset) { return (offset - kInAddr) / 4; }

constexpr DescWords pack(const TileDesc& d) {
  namespace f = field;
  DescWords w{};
  w[desc_index(kInAddr)] = d.in_addr;
  w[desc_index(kInShape)] = f::kInH.put(d.in_h) | f::kInW.put(d.in_w);
  w[desc_index(kInC)] = d.in_c;
  w[desc_index(kPad)] = f::kPadTop.put(d.pad_top) | f::kPadLeft.put(d.pad_left) |
                        f::kPadBottom.put(d.pad_bottom) | f::kPadRight.put(d.pad_right);
  w[desc_index(kKernel)] =
      f::kKh.put(d.kh) | f::kKw.put(d.kw) | f::kStrideH.put(d.stride_h) | f::kStrideW.put(d.stride_w);
  w[desc_index(kOutShape)] = f::kOutH.put(d.out_h) | f::kOutW.put(d.out_w);
  w[desc_index(kOutC)] = d.out_c;
  w[desc_index(kWtAddr)] = d.wt_addr;
  w[desc_index(kQAddr)] = d.q_addr;
  w[desc_index(kOutAddr)] = d.out_addr;
  w[desc_index(kFlags)] = f::kRelu.put(d.relu) | f::kRawOutput.put(d.raw_output) | f::kPsumIn.put(d.psum_in) |
                          f::kPsumOut.put(d.psum_out);
  w[desc_index(kPool)] =
      f::kPoolMode.put(d.pool_mode) | f::kPoolK.put(d.pool_k) | f::kPoolStride.put(d.pool_stride);
  return w;
}

constexpr TileDesc unpack(const DescWords& w) {
  namespace f = field;
  TileDesc d;
  const auto reg = [&w](uint32_t offset) { return w[desc_index(offset)]; };
  d.in_addr = reg(kInAddr);
  d.in_h = f::kInH.get(reg(kInShape));
  d.in_w = f::kInW.get(reg(kInShape));
  d.in_c = reg(kInC);
  d.pad_top = f::kPadTop.get(reg(kPad));
  d.pad_left = f::kPadLeft.get(reg(kPad));
  d.pad_bottom = f::kPadBottom.get(reg(kPad));
  d.pad_right = f::kPadRight.get(reg(kPad));
  d.kh = f::kKh.get(reg(kKernel));
  d.kw = f::kKw.get(reg(kKernel));
  d.stride_h = f::kStrideH.get(reg(kKernel));
  d.stride_w = f::kStrideW.get(reg(kKernel));
  d.out_h = f::kOutH.get(reg(kOutShape));
  d.out_w = f::kOutW.get(reg(kOutShape));
  d.out_c = reg(kOutC);
  d.wt_addr = reg(kWtAddr);
  d.q_addr = reg(kQAddr);
  d.out_addr = reg(kOutAddr);
  d.relu = f::kRelu.get(reg(kFlags)) != 0;
  d.raw_output = f::kRawOutput.get(reg(kFlags)) != 0;
  d.psum_in = f::kPsumIn.get(reg(kFlags)) != 0;
  d.psum_out = f::kPsumOut.get(reg(kFlags)) != 0;
  d.pool_mode = f::kPoolMode.get(reg(kPool));
  d.pool_k = f::kPoolK.get(reg(kPool));
  d.pool_stride = f::kPoolStride.get(reg(kPool));
  return d;
}

// Post-scale record layout in the weight buffer (little endian int32 each).
struct PostScale {
  int32_t bias;        // added to the accumulator
  int32_t multiplier;  // M, 0 <= M < 2^31
  int32_t shift;       // n, 1 <= n <= 62: q = round_half_away((acc + bias) * M / 2^n)
};
constexpr uint32_t kPostScaleBytes = 12;

}  // namespace minconv::regs::accel
