#pragma once
// DMA engine register map (shared by the model and the driver). All registers 32 bit, little endian.
//
// Each channel has a bank of kChannelStride bytes at base + kChannelBase + c * kChannelStride.
// A transfer moves a 3-D block: `planes` planes of `rows` rows of `row_bytes` bytes each.
//   source byte (p, r, b)      = src + p * src_plane_stride + r * src_row_stride + b
//   destination byte (p, r, b) = dst + p * dst_plane_stride + r * dst_row_stride + b
// A 1-D copy is rows = planes = 1; strides larger than row_bytes leave gaps (tile padding).
// Descriptor mode: the channel fetches descriptors (the same 10 words as the channel's transfer
// registers kSrc..kNext, kDescWords * 4 bytes, 4-byte aligned) from memory starting at kNext, and follows
// each descriptor's `next` word until it is 0.
#include <cstdint>

namespace minconv::regs::dma {

// Global registers.
constexpr uint32_t kId = 0x000;            // RO: kIdValue
constexpr uint32_t kIdValue = 0x444D4131;  // "DMA1"
constexpr uint32_t kChannels = 0x004;      // RO: number of channels
constexpr uint32_t kBurst = 0x008;         // RO: burst size in bytes

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
constexpr uint32_t kNext = 0x24;  // descriptor mode: address of the first descriptor; in memory: next or 0
constexpr uint32_t kDescWords = 10;
constexpr uint32_t kCtrl = 0x28;       // WO/RW: see kCtrl* bits
constexpr uint32_t kStatus = 0x2C;     // RO, W1C for done/error: see kStatus* bits
constexpr uint32_t kBytesDone = 0x30;  // RO: bytes written to the destination by the current/last job
constexpr uint32_t kErrorAddr = 0x34;  // RO: bus address of the access that failed

// kCtrl bits.
constexpr uint32_t kCtrlStart = 1u << 0;      // write 1: start the job (ignored with an error if busy)
constexpr uint32_t kCtrlDescMode = 1u << 1;   // 1: follow the descriptor list at kNext
constexpr uint32_t kCtrlIrqEnable = 1u << 2;  // raise the channel's interrupt on done or error

// kStatus bits.
constexpr uint32_t kStatusBusy = 1u << 0;
constexpr uint32_t kStatusDone = 1u << 1;    // W1C
constexpr uint32_t kStatusError = 1u << 2;   // W1C
constexpr uint32_t kStatusErrCodeShift = 8;  // bits 15:8: an ErrorCode
constexpr uint32_t kStatusErrCodeMask = 0xFFu << kStatusErrCodeShift;

enum ErrorCode : uint32_t {
  kErrNone = 0,
  kErrReadBus = 1,    // a read burst got a TLM error response (kErrorAddr holds the address)
  kErrWriteBus = 2,   // a write burst got a TLM error response
  kErrDescBus = 3,    // fetching a descriptor failed
  kErrBadConfig = 4,  // zero-size transfer, misaligned descriptor address, ...
  kErrStartBusy = 5,  // start written while the channel was busy
};

}  // namespace minconv::regs::dma
