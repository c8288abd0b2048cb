#pragma once
// DMA engine register map (shared by the model, the driver, the tests and docs/platform.md). All registers
// 32 bit, little endian.
//
// Each channel has a bank of kChannelStride bytes at base + kChannelBase + c * kChannelStride.
// A transfer moves a 3-D block: `planes` planes of `rows` rows of `row_bytes` bytes each.
//   source byte (p, r, b)      = src + p * src_plane_stride + r * src_row_stride + b
//   destination byte (p, r, b) = dst + p * dst_plane_stride + r * dst_row_stride + b
// A 1-D copy is rows = planes = 1; strides larger than row_bytes leave gaps (tile padding).
// Descriptor mode: the channel fetches descriptors (the same 10 words as the channel's transfer
// registers kSrc..kNext, kDescWords * 4 bytes, 4-byte aligned) from memory starting at kNext, and follows
// each descriptor's `next` word until it is 0.
#include <array>
#include <cstdint>

#include "sw/hal/regs/regmap.h"

namespace minconv::regs::dma {

// Global registers.
constexpr uint32_t kId = 0x000;
constexpr uint32_t kChannels = 0x004;
constexpr uint32_t kBurst = 0x008;
constexpr uint32_t kIdValue = 0x444D4131;  // "DMA1"

constexpr uint32_t kChannelBase = 0x100;
constexpr uint32_t kChannelStride = 0x40;

// Per-channel registers (offsets inside the channel bank). kSrc..kNext is also the descriptor layout.
constexpr uint32_t kSrc = 0x00;
constexpr uint32_t kDst = 0x04;
constexpr uint32_t kRowBytes = 0x08;
constexpr uint32_t kRows = 0x0C;
constexpr uint32_t kPlanes = 0x10;
constexpr uint32_t kSrcRowStride = 0x14;
constexpr uint32_t kDstRowStride = 0x18;
constexpr uint32_t kSrcPlaneStride = 0x1C;
constexpr uint32_t kDstPlaneStride = 0x20;
constexpr uint32_t kNext = 0x24;
constexpr uint32_t kDescWords = kNext / 4 + 1;
constexpr uint32_t kCtrl = 0x28;
constexpr uint32_t kStatus = 0x2C;
constexpr uint32_t kBytesDone = 0x30;
constexpr uint32_t kErrorAddr = 0x34;

namespace field {
constexpr Field kStart{"START", 0, 1,
                       Access::kWO};  // write 1: start the job (ignored with an error if busy); reads 0
constexpr Field kDescMode{"DESC_MODE", 1, 1};    // 1: follow the descriptor list at NEXT
constexpr Field kIrqEnable{"IRQ_ENABLE", 2, 1};  // raise the channel's interrupt on done or error

constexpr Field kCtrl[] = {kStart, kDescMode, kIrqEnable};
}  // namespace field

constexpr uint32_t kCtrlStart = field::kStart.mask();
constexpr uint32_t kCtrlDescMode = field::kDescMode.mask();
constexpr uint32_t kCtrlIrqEnable = field::kIrqEnable.mask();
using namespace job_status::bits;

constexpr Register kGlobalRegisters[] = {
    {"ID", kId, Access::kRO, kIdValue, {}, "`0x444D4131` (\"DMA1\")"},
    {"CHANNELS", kChannels, Access::kRO, 0, {}, "number of channels", Reset::kConfig},
    {"BURST", kBurst, Access::kRO, 0, {}, "burst size in bytes", Reset::kConfig},
};
constexpr Register kChannelRegisters[] = {
    {"SRC", kSrc, Access::kRW, 0, {}, "source bus address"},
    {"DST", kDst, Access::kRW, 0, {}, "destination bus address"},
    {"ROW_BYTES", kRowBytes, Access::kRW, 0, {}, "bytes per row"},
    {"ROWS", kRows, Access::kRW, 0, {}, "rows per plane"},
    {"PLANES", kPlanes, Access::kRW, 0, {}, "planes"},
    {"SRC_ROW_STRIDE", kSrcRowStride, Access::kRW, 0, {}, "source bytes between rows"},
    {"DST_ROW_STRIDE", kDstRowStride, Access::kRW, 0, {}, "destination bytes between rows"},
    {"SRC_PLANE_STRIDE", kSrcPlaneStride, Access::kRW, 0, {}, "source bytes between planes"},
    {"DST_PLANE_STRIDE", kDstPlaneStride, Access::kRW, 0, {}, "destination bytes between planes"},
    {"NEXT", kNext, Access::kRW, 0, {}, "descriptor mode: first descriptor; in memory: next descriptor or 0"},
    {"CTRL", kCtrl, Access::kRW, 0, field::kCtrl, "START reads 0"},
    {"STATUS", kStatus, Access::kW1C, 0, job_status::kFields, "DONE and ERROR are write-1-to-clear"},
    {"BYTES_DONE",
     kBytesDone,
     Access::kRO,
     0,
     {},
     "bytes written to the destination by the current/last job"},
    {"ERROR_ADDR", kErrorAddr, Access::kRO, 0, {}, "bus address of the access that failed"},
};
constexpr Block kGlobalBlock{"dma", kGlobalRegisters, kChannelBase};
constexpr Block kChannelBlock{"dma channel", kChannelRegisters, kChannelStride};
static_assert(well_formed(kGlobalRegisters, kChannelBase));
static_assert(well_formed(kChannelRegisters, kChannelStride));

enum ErrorCode : uint32_t {
  kErrNone = 0,
  kErrReadBus = 1,    // a read burst got a TLM error response (kErrorAddr holds the address)
  kErrWriteBus = 2,   // a write burst got a TLM error response
  kErrDescBus = 3,    // fetching a descriptor failed
  kErrBadConfig = 4,  // zero-size transfer, misaligned descriptor address, ...
  kErrStartBusy = 5,  // start written while the channel was busy
};

// One transfer, as values; pack() gives the kDescWords words of kSrc..kNext (registers or descriptor).
struct Transfer {
  uint32_t src = 0, dst = 0;
  uint32_t row_bytes = 0, rows = 1, planes = 1;
  uint32_t src_row_stride = 0, dst_row_stride = 0;
  uint32_t src_plane_stride = 0, dst_plane_stride = 0;
  uint32_t next = 0;
};
using DescWords = std::array<uint32_t, kDescWords>;  // indexed by offset / 4

constexpr DescWords pack(const Transfer& t) {
  DescWords w{};
  w[kSrc / 4] = t.src;
  w[kDst / 4] = t.dst;
  w[kRowBytes / 4] = t.row_bytes;
  w[kRows / 4] = t.rows;
  w[kPlanes / 4] = t.planes;
  w[kSrcRowStride / 4] = t.src_row_stride;
  w[kDstRowStride / 4] = t.dst_row_stride;
  w[kSrcPlaneStride / 4] = t.src_plane_stride;
  w[kDstPlaneStride / 4] = t.dst_plane_stride;
  w[kNext / 4] = t.next;
  return w;
}

}  // namespace minconv::regs::dma
