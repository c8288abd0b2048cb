#pragma once
// MinConv accelerator driver: reads the capabilities, programs tile descriptors, records completion and
// errors from interrupts, reads the performance counters.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "sw/driver/irq.h"
#include "sw/hal/hal.h"
#include "sw/hal/regs/accel_regs.h"
#include "sw/hal/soc_info.h"

namespace minconv::sw {

// What the hardware says about itself (nothing about the accelerator is hard-coded in software).
struct AccelCaps {
  uint32_t pe_kind = 0;  // the PE_KIND register: a golden::PeKind
  uint32_t rows = 0, cols = 0;
  uint32_t clock_khz = 0;
  uint32_t in_offset = 0, in_bytes = 0;  // buffers inside the SRAM window (two halves each)
  uint32_t wt_offset = 0, wt_bytes = 0;
  uint32_t out_offset = 0, out_bytes = 0;
  uint32_t max_kernel = 0, max_stride = 0;
  uint32_t max_pool = 0;  // largest pooling window side of the output path; 0: no pooling unit
};

// One tile: the accelerator's descriptor registers (offsets are inside each buffer).
using AccelTile = regs::accel::TileDesc;

struct AccelCounters {
  uint64_t busy = 0, active = 0, stall = 0, buf_read = 0, buf_write = 0, tiles = 0, folds = 0;
  AccelCounters operator-(const AccelCounters& o) const {
    return {busy - o.busy,           active - o.active, stall - o.stall, buf_read - o.buf_read,
            buf_write - o.buf_write, tiles - o.tiles,   folds - o.folds};
  }
};

class AccelError : public std::runtime_error {
 public:
  AccelError(uint32_t code, const std::string& what) : std::runtime_error(what), code(code) {}
  uint32_t code;  // regs::accel::ErrorCode
};

const char* accel_error_name(uint32_t code);

class AccelDriver {
 public:
  AccelDriver(hal::Hal& hal, const hal::SocInfo& soc, IrqDispatcher& irq);

  const AccelCaps& caps() const { return caps_; }
  // Programs the descriptor and starts the tile (interrupt on done and error).
  void start(const AccelTile& tile);
  // Writes the descriptor registers only; allowed while a tile runs (the hardware latches them at start),
  // so the next tile can be programmed during the current one and started with start_programmed().
  void program(const AccelTile& tile);
  void start_programmed();
  bool idle() const { return !running_; }
  // Sleeps until the tile ends; throws AccelError if the accelerator reported an error.
  void wait();
  void layer_begin();
  void layer_end();
  // The performance counters, read by debug probes (no bus time: the report does not perturb the run).
  AccelCounters counters();

 private:
  uint32_t read(uint32_t offset) { return hal_.read32(base_ + offset); }
  void write(uint32_t offset, uint32_t value) { hal_.write32(base_ + offset, value); }
  uint64_t probe64(uint32_t lo);  // a 64-bit counter by two debug probes (hal::Hal::probe32)
  void on_interrupt();

  hal::Hal& hal_;
  IrqDispatcher& irq_;
  uint32_t base_;
  AccelCaps caps_;
  bool running_ = false;
  bool error_ = false;
  uint32_t error_code_ = 0;
};

}  // namespace minconv::sw
