#include "sw/driver/accel_driver.h"

#include <sstream>

namespace minconv::sw {

namespace regs = minconv::regs::accel;

const char* accel_error_name(uint32_t code) { return regs::error_name(code); }

AccelDriver::AccelDriver(hal::Hal& hal, const hal::SocInfo& soc, IrqDispatcher& irq)
    : hal_(hal), irq_(irq), base_(soc.accel_csr_base) {
  if (base_ == 0 || read(regs::kId) != regs::kIdValue) {
    std::ostringstream msg;
    msg << "no MinConv accelerator at 0x" << std::hex << base_;
    throw std::runtime_error(msg.str());
  }
  if (read(regs::kVersion) != regs::kVersionValue)
    throw std::runtime_error("unsupported accelerator version");
  caps_.pe_kind = read(regs::kPeKind);
  caps_.rows = read(regs::kRows);
  caps_.cols = read(regs::kCols);
  caps_.clock_khz = read(regs::kClockKhz);
  caps_.in_offset = read(regs::kInBufOffset);
  caps_.in_bytes = read(regs::kInBufBytes);
  caps_.wt_offset = read(regs::kWtBufOffset);
  caps_.wt_bytes = read(regs::kWtBufBytes);
  caps_.out_offset = read(regs::kOutBufOffset);
  caps_.out_bytes = read(regs::kOutBufBytes);
  caps_.max_kernel = read(regs::kMaxKernel);
  caps_.max_stride = read(regs::kMaxStride);
  caps_.max_pool = read(regs::kMaxPool);
  write(regs::kStatus, regs::kStatusW1C);
  write(regs::kIrqEnable, regs::kIrqOnDone | regs::kIrqOnError);
  irq_.attach(soc.irq_accel, [this] { on_interrupt(); });
}

void AccelDriver::start(const AccelTile& t) {
  program(t);
  start_programmed();
}

void AccelDriver::program(const AccelTile& t) {
  const hal::Phase phase(hal_, "program tile", true);
  const regs::DescWords words = regs::pack(t);
  for (uint32_t i = 0; i < regs::kDescWords; ++i) write(regs::kInAddr + 4 * i, words[i]);
}

void AccelDriver::start_programmed() {
  const hal::Phase phase(hal_, "start tile", true);
  if (running_) throw std::logic_error("accelerator tile started while another is running");
  running_ = true;
  error_ = false;
  write(regs::kCtrl, regs::kCtrlStart);
}

void AccelDriver::on_interrupt() {
  const uint32_t status = read(regs::kStatus);
  if ((status & regs::kStatusW1C) == 0) return;
  if (status & regs::kStatusError) {
    error_ = true;
    error_code_ = (status & regs::kStatusErrCodeMask) >> regs::kStatusErrCodeShift;
  }
  if ((status & regs::kStatusBusy) == 0) running_ = false;
  write(regs::kStatus, status & regs::kStatusW1C);
}

void AccelDriver::wait() {
  const hal::Phase phase(hal_, "wait accel", true);
  irq_.wait_until([this] { return !running_; });
  if (error_) {
    error_ = false;
    throw AccelError(error_code_, std::string("accelerator error ") + std::to_string(error_code_) + " (" +
                                      accel_error_name(error_code_) + ")");
  }
}

void AccelDriver::layer_begin() { write(regs::kCtrl, regs::kCtrlLayerBegin); }
void AccelDriver::layer_end() { write(regs::kCtrl, regs::kCtrlLayerEnd); }

uint64_t AccelDriver::probe64(uint32_t lo) {
  const uint64_t low = hal_.probe32(base_ + lo);
  return low | (static_cast<uint64_t>(hal_.probe32(base_ + lo + regs::kHiOffset)) << 32);
}

AccelCounters AccelDriver::counters() {
  return {probe64(regs::kCntBusyLo),    probe64(regs::kCntActiveLo),   probe64(regs::kCntStallLo),
          probe64(regs::kCntBufReadLo), probe64(regs::kCntBufWriteLo), probe64(regs::kCntTilesLo),
          probe64(regs::kCntFoldsLo)};
}

}  // namespace minconv::sw
