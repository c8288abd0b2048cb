#pragma once
// MinConv accelerator register map: the one header shared by the accelerator model (accel/) and the
// driver (sw/). All registers are 32 bit, little endian, 4-byte aligned. See docs/accelerator.md.
#include <cstdint>

namespace minconv::regs::accel {

// --- Identity and capabilities (read only) ---
constexpr uint32_t kId = 0x000;            // kIdValue
constexpr uint32_t kIdValue = 0x4D434E56;  // "MCNV"
constexpr uint32_t kVersion = 0x004;       // register map version (kVersionValue)
constexpr uint32_t kVersionValue = 1;
constexpr uint32_t kPeKind = 0x008;       // PeKind
constexpr uint32_t kRows = 0x00C;         // PE array rows R (output channels in parallel)
constexpr uint32_t kCols = 0x010;         // PE array columns C (output pixels in parallel)
constexpr uint32_t kClockKhz = 0x014;     // accelerator clock in kHz
constexpr uint32_t kInBufOffset = 0x018;  // offset of the input buffer in the SRAM window
constexpr uint32_t kInBufBytes = 0x01C;   // input buffer size (two ping-pong halves of half the size)
constexpr uint32_t kWtBufOffset = 0x020;
constexpr uint32_t kWtBufBytes = 0x024;
constexpr uint32_t kOutBufOffset = 0x028;
constexpr uint32_t kOutBufBytes = 0x02C;
constexpr uint32_t kMaxKernel = 0x030;  // largest supported kernel side
constexpr uint32_t kMaxStride = 0x034;  // largest supported stride

enum PeKind : uint32_t { kPeMin = 0, kPeMul = 1 };

// --- Control and status ---
constexpr uint32_t kCtrl = 0x040;       // write: kCtrl* bits (self-clearing actions)
constexpr uint32_t kStatus = 0x044;     // kStatus* bits; done and error are write-1-to-clear
constexpr uint32_t kIrqEnable = 0x048;  // bit 0: interrupt on done; bit 1: interrupt on error

constexpr uint32_t kCtrlStart = 1u << 0;          // start the tile in the descriptor registers
constexpr uint32_t kCtrlResetCounters = 1u << 1;  // zero all performance counters
constexpr uint32_t kCtrlLayerBegin = 1u << 2;     // a layer starts: idle cycles from now count as stalls
constexpr uint32_t kCtrlLayerEnd = 1u << 3;       // the layer ended: stop counting stalls

constexpr uint32_t kStatusBusy = 1u << 0;
constexpr uint32_t kStatusDone = 1u << 1;
constexpr uint32_t kStatusError = 1u << 2;
constexpr uint32_t kStatusErrCodeShift = 8;  // bits 15:8: ErrorCode of the last error
constexpr uint32_t kStatusErrCodeMask = 0xFFu << kStatusErrCodeShift;
constexpr uint32_t kIrqOnDone = 1u << 0;
constexpr uint32_t kIrqOnError = 1u << 1;

enum ErrorCode : uint32_t {
  kErrNone = 0,
  kErrStartBusy = 1,     // start while a tile is running (the running tile continues)
  kErrBadShape = 2,      // a zero dimension, or output larger than the padded input allows
  kErrUnsupported = 3,   // kernel or stride beyond kMaxKernel / kMaxStride, padding >= kernel
  kErrInOverflow = 4,    // the input tile does not fit in the input buffer from kInAddr
  kErrWtOverflow = 5,    // weights or post-scale parameters overflow the weight buffer
  kErrOutOverflow = 6,   // the output tile does not fit in the output buffer from kOutAddr
  kErrBadPostScale = 7,  // int8 output with a post-scale record outside 0 <= M < 2^31, 1 <= n <= 62
  kErrReduction = 8,     // K = kh*kw*in_c longer than the int32 accumulators can sum without overflow
};

// What each ErrorCode means, in one place for the model's reports, the driver's exceptions and the docs.
constexpr const char* error_name(uint32_t code) {
  switch (code) {
    case kErrNone:
      return "none";
    case kErrStartBusy:
      return "start while busy";
    case kErrBadShape:
      return "bad shape";
    case kErrUnsupported:
      return "unsupported kernel, stride or padding";
    case kErrInOverflow:
      return "input buffer overflow";
    case kErrWtOverflow:
      return "weight buffer overflow";
    case kErrOutOverflow:
      return "output buffer overflow";
    case kErrBadPostScale:
      return "bad post-scale record";
    case kErrReduction:
      return "reduction too long for the int32 accumulators";
    default:
      return "unknown error";
  }
}

// --- Tile descriptor (read/write) ---
// Input tile: in_h x in_w x in_c int8, HWC layout, at kInAddr (offset inside the input buffer).
constexpr uint32_t kInAddr = 0x080;
constexpr uint32_t kInShape = 0x084;   // bits 15:0 in_h, bits 31:16 in_w
constexpr uint32_t kInC = 0x088;       // input channels
constexpr uint32_t kPad = 0x08C;       // bytes: [7:0] top, [15:8] left, [23:16] bottom, [31:24] right
constexpr uint32_t kKernel = 0x090;    // bytes: [7:0] kh, [15:8] kw, [23:16] stride_h, [31:24] stride_w
constexpr uint32_t kOutShape = 0x094;  // bits 15:0 out_h, bits 31:16 out_w
constexpr uint32_t kOutC = 0x098;      // output channels of this tile
// Weights: out_c x kh x kw x in_c int8 at kWtAddr (offset inside the weight buffer).
constexpr uint32_t kWtAddr = 0x09C;
// Post-scale parameters: out_c records of PostScale (12 bytes) at kQAddr (offset inside the weight buffer).
constexpr uint32_t kQAddr = 0x0A0;
// Output tile: out_h x out_w x out_c, HWC, at kOutAddr (offset inside the output buffer); int8, or int32
// when kFlagRawOutput is set.
constexpr uint32_t kOutAddr = 0x0A4;
constexpr uint32_t kFlags = 0x0A8;
constexpr uint32_t kFlagRelu = 1u << 0;
constexpr uint32_t kFlagRawOutput = 1u << 1;  // write acc + bias as int32, no requantization

// Post-scale record layout in the weight buffer (little endian int32 each).
struct PostScale {
  int32_t bias;        // added to the accumulator
  int32_t multiplier;  // M, 0 <= M < 2^31
  int32_t shift;       // n, 1 <= n <= 62: q = round_half_away((acc + bias) * M / 2^n)
};
constexpr uint32_t kPostScaleBytes = 12;

// --- Performance counters (read only, 64 bit as lo/hi pairs; read lo first, hi is latched) ---
constexpr uint32_t kCntBusyLo = 0x100;      // cycles with a tile in progress
constexpr uint32_t kCntActiveLo = 0x108;    // PE-cycles doing a useful MAC (sum over tiles of MACs)
constexpr uint32_t kCntStallLo = 0x110;     // idle cycles between kCtrlLayerBegin and kCtrlLayerEnd
constexpr uint32_t kCntBufReadLo = 0x118;   // bytes read from the local buffers by the engine
constexpr uint32_t kCntBufWriteLo = 0x120;  // bytes written to the output buffer by the engine
constexpr uint32_t kCntTilesLo = 0x128;     // tiles completed
constexpr uint32_t kCntFoldsLo = 0x130;     // array folds executed
constexpr uint32_t kHiOffset = 0x4;

constexpr uint32_t kCsrSize = 0x200;  // bytes of CSR space

}  // namespace minconv::regs::accel
