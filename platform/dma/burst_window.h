#pragma once
// The burst scheduler of one DMA channel: splits a 3-D transfer into bursts and decides when each burst's
// read and write are issued, with up to `depth` bursts in flight. Plain C++ on sc_time: it never calls
// wait() and never touches a socket; the channel's thread performs each access through a callback.
//
// Rules (docs/platform.md, "DMA outstanding bursts"), times absolute, bursts numbered i = 0, 1, ...:
// - A burst holds one of `depth` window slots (and its buffer) from its read issue until its write
//   completes; burst i uses slot i % depth.
// - Read i is issued at  R_i = max(R_{i-1}, WD_{i-depth}) + setup  (R_{-1} = WD_{<0} = the job's start),
//   where WD_k is the completion time of write k: one read issue per `setup`, and never more than `depth`
//   bursts in flight.
// - Write i is issued when its read data has arrived, in burst order: W_i = max(RD_i, W_{i-1}), where RD_i
//   is read i's completion time.
// - Accesses are issued in non-decreasing time order; when a read and a write are due at the same time the
//   write goes first (it frees a slot).
// - With depth 1 this is the serial engine: setup, read, write, setup, read, write, ...
// - A read answered with an error: no further read is issued; the writes of earlier bursts still happen;
//   nothing of that burst or a later one is written. A write answered with an error: nothing more is
//   issued. The job ends when every issued access has completed.
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include <systemc>
#include <tlm>

#include "sw/hal/regs/dma_regs.h"

namespace minconv::platform {

// The transfer registers kSrc..kNext, which are also the descriptor layout.
using DmaTransfer = std::array<uint32_t, regs::dma::kDescWords>;

// One bus burst of a transfer: `bytes` from `src` to `dst` (32-bit bus addresses).
struct DmaBurst {
  uint32_t src = 0;
  uint32_t dst = 0;
  unsigned bytes = 0;
};

// The bursts of a transfer in order: planes, rows, then at most `burst_bytes` per burst, never crossing a
// row. Address arithmetic wraps at 32 bits as the hardware's adders would.
class BurstSequence {
 public:
  BurstSequence(const DmaTransfer& t, unsigned burst_bytes);
  // The next burst, or false when the transfer is complete (or has a zero dimension).
  bool next(DmaBurst& b);

 private:
  DmaTransfer t_;
  unsigned burst_bytes_;
  uint32_t plane_ = 0;
  uint32_t row_ = 0;
  uint32_t offset_ = 0;
};

class BurstWindow {
 public:
  struct Access {
    tlm::tlm_command command = tlm::TLM_READ_COMMAND;  // read or write
    uint32_t address = 0;
    uint8_t* data = nullptr;  // the slot's buffer
    unsigned bytes = 0;
    sc_core::sc_time at;  // absolute issue time
  };
  // Performs `access` at access.at; returns the response status and sets `done` to the absolute time the
  // access completed (its annotated delay included).
  using Issue = std::function<tlm::tlm_response_status(const Access& access, sc_core::sc_time& done)>;
  // Called after each successful write with its byte count.
  using Written = std::function<void(unsigned bytes)>;

  struct Result {
    uint32_t error_code = regs::dma::kErrNone;  // kErrNone, kErrReadBus or kErrWriteBus
    uint32_t error_address = 0;                 // the failing burst's address
    sc_core::sc_time end;                       // every issued access has completed
  };

  // `depth` 1..64 bursts in flight, each of at most `burst_bytes`; `setup` per read issue.
  BurstWindow(unsigned depth, unsigned burst_bytes, const sc_core::sc_time& setup);

  // Runs all bursts of `bursts`, starting at the absolute time `start`.
  Result run(BurstSequence& bursts, const sc_core::sc_time& start, const Issue& issue,
             const Written& written);

 private:
  unsigned depth_;
  unsigned burst_bytes_;
  sc_core::sc_time setup_;
  std::vector<uint8_t> buffers_;  // depth_ buffers of burst_bytes_
};

}  // namespace minconv::platform
