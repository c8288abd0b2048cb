#include "sw/driver/dma_driver.h"

#include <sstream>

#include "sw/hal/regs/dma_regs.h"

namespace minconv::sw {

namespace regs = minconv::regs::dma;

namespace {
regs::Transfer transfer(const DmaJob& j, uint32_t next) {
  regs::Transfer t;
  t.src = j.src;
  t.dst = j.dst;
  t.row_bytes = j.row_bytes;
  t.rows = j.rows;
  t.planes = j.planes;
  t.src_row_stride = j.src_row_stride;
  t.dst_row_stride = j.dst_row_stride;
  t.src_plane_stride = j.src_plane_stride;
  t.dst_plane_stride = j.dst_plane_stride;
  t.next = next;
  return t;
}
}  // namespace

DmaDriver::DmaDriver(hal::Hal& hal, const hal::SocInfo& soc, IrqDispatcher& irq)
    : hal_(hal), irq_(irq), base_(soc.dma_base) {
  const uint32_t id = hal_.read32(base_ + regs::kId);
  if (id != regs::kIdValue) {
    std::ostringstream msg;
    msg << "no DMA engine at 0x" << std::hex << base_ << " (id 0x" << id << ")";
    throw std::runtime_error(msg.str());
  }
  state_.resize(hal_.read32(base_ + regs::kChannels));
  burst_ = hal_.read32(base_ + regs::kBurst);
  for (unsigned c = 0; c < channels(); ++c) {
    hal_.write32(reg(c, regs::kStatus), regs::kStatusW1C);
    irq_.attach(soc.irq_dma_first + c, [this, c] { on_interrupt(c); });
  }
}

uint32_t DmaDriver::reg(unsigned channel, uint32_t offset) const {
  return base_ + regs::kChannelBase + channel * regs::kChannelStride + offset;
}

void DmaDriver::check_idle(unsigned channel) const {
  if (channel >= channels())
    throw std::out_of_range("DMA channel " + std::to_string(channel) + " does not exist");
  if (state_[channel].running) throw std::logic_error("DMA channel " + std::to_string(channel) + " is busy");
}

void DmaDriver::start(unsigned channel, const DmaJob& job) {
  const hal::Phase phase(hal_, "start dma", true);
  check_idle(channel);
  const regs::DescWords words = regs::pack(transfer(job, 0));
  for (uint32_t i = 0; i < regs::kDescWords; ++i) hal_.write32(reg(channel, regs::kSrc + 4 * i), words[i]);
  state_[channel] = Channel{true, false, 0, 0};
  hal_.write32(reg(channel, regs::kCtrl), regs::kCtrlStart | regs::kCtrlIrqEnable);
}

void DmaDriver::start_list(unsigned channel, uint32_t first) {
  const hal::Phase phase(hal_, "start dma list", true);
  check_idle(channel);
  hal_.write32(reg(channel, regs::kNext), first);
  state_[channel] = Channel{true, false, 0, 0};
  hal_.write32(reg(channel, regs::kCtrl), regs::kCtrlStart | regs::kCtrlDescMode | regs::kCtrlIrqEnable);
}

uint32_t DmaDriver::write_descriptors(uint32_t address, const std::vector<DmaJob>& jobs) {
  const hal::Phase phase(hal_, "write descriptors", true);
  std::vector<uint32_t> words;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const uint32_t next =
        i + 1 < jobs.size() ? address + static_cast<uint32_t>((i + 1) * regs::kDescWords * 4) : 0;
    const regs::DescWords d = regs::pack(transfer(jobs[i], next));
    words.insert(words.end(), d.begin(), d.end());
  }
  hal_.write_block(address, words.data(), words.size() * 4);
  return static_cast<uint32_t>(words.size() * 4);
}

void DmaDriver::on_interrupt(unsigned channel) {
  const uint32_t status = hal_.read32(reg(channel, regs::kStatus));
  if ((status & regs::kStatusW1C) == 0) return;
  Channel& ch = state_[channel];
  if (status & regs::kStatusError) {
    ch.error = true;
    ch.code = (status & regs::kStatusErrCodeMask) >> regs::kStatusErrCodeShift;
    ch.error_addr = hal_.read32(reg(channel, regs::kErrorAddr));
  }
  // A start-while-busy error leaves the running job going: it is still running.
  if ((status & regs::kStatusBusy) == 0) ch.running = false;
  hal_.write32(reg(channel, regs::kStatus), status & regs::kStatusW1C);
}

void DmaDriver::wait(unsigned channel) {
  if (channel >= channels())
    throw std::out_of_range("DMA channel " + std::to_string(channel) + " does not exist");
  const hal::Phase phase(hal_, "wait dma", true);
  irq_.wait_until([&] { return !state_[channel].running; });
  const Channel& ch = state_[channel];
  if (ch.error) {
    std::ostringstream msg;
    msg << "DMA channel " << channel << " failed with error code " << ch.code << " at address 0x" << std::hex
        << ch.error_addr;
    throw DmaError(channel, ch.code, ch.error_addr, msg.str());
  }
}

uint32_t DmaDriver::bytes_done(unsigned channel) { return hal_.read32(reg(channel, regs::kBytesDone)); }

}  // namespace minconv::sw
