#pragma once
// DMA driver: programs strided jobs and descriptor lists, and records completion from interrupts.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/driver/irq.h"
#include "sw/hal/hal.h"
#include "sw/hal/soc_info.h"

namespace minconv::sw {

// A 3-D strided copy (see sw/hal/regs/dma_regs.h). Defaults make a 1-D copy.
struct DmaJob {
  uint32_t src = 0;
  uint32_t dst = 0;
  uint32_t row_bytes = 0;
  uint32_t rows = 1;
  uint32_t planes = 1;
  uint32_t src_row_stride = 0;
  uint32_t dst_row_stride = 0;
  uint32_t src_plane_stride = 0;
  uint32_t dst_plane_stride = 0;
  uint64_t bytes() const { return static_cast<uint64_t>(row_bytes) * rows * planes; }
};

// A DMA job ended with an error status.
class DmaError : public std::runtime_error {
 public:
  DmaError(unsigned channel, uint32_t code, uint32_t address, const std::string& what)
      : std::runtime_error(what), channel(channel), code(code), address(address) {}
  unsigned channel;
  uint32_t code;     // regs::dma::ErrorCode
  uint32_t address;  // the failing bus address
};

class DmaDriver {
 public:
  DmaDriver(hal::Hal& hal, const hal::SocInfo& soc, IrqDispatcher& irq);

  unsigned channels() const { return static_cast<unsigned>(state_.size()); }
  uint32_t burst_bytes() const { return burst_; }
  // Starts a job on a channel that is idle (throws std::logic_error otherwise).
  void start(unsigned channel, const DmaJob& job);
  // Starts a descriptor list at `first` (descriptors written with write_descriptors()).
  void start_list(unsigned channel, uint32_t first);
  // Writes a linked descriptor list at `address` (kDescWords words each) and returns its size in bytes.
  uint32_t write_descriptors(uint32_t address, const std::vector<DmaJob>& jobs);
  bool idle(unsigned channel) const { return !state_.at(channel).running; }
  // Sleeps until the channel's job ends; throws DmaError if it failed.
  void wait(unsigned channel);
  // Number of bytes the channel wrote in its last job.
  uint32_t bytes_done(unsigned channel);

 private:
  struct Channel {
    bool running = false;
    bool error = false;
    uint32_t code = 0;
    uint32_t error_addr = 0;
  };
  uint32_t reg(unsigned channel, uint32_t offset) const;
  void on_interrupt(unsigned channel);
  void check_idle(unsigned channel) const;

  hal::Hal& hal_;
  IrqDispatcher& irq_;
  uint32_t base_;
  uint32_t burst_ = 0;
  std::vector<Channel> state_;
};

}  // namespace minconv::sw
