#include "sw/driver/irq.h"

#include <stdexcept>

#include "sw/hal/regs/irq_regs.h"

namespace minconv::sw {

namespace regs = minconv::regs::irq;

IrqDispatcher::IrqDispatcher(hal::Hal& hal, const hal::SocInfo& soc) : hal_(hal), base_(soc.irq_base) {
  handlers_.resize(hal_.read32(base_ + regs::kLines));
  hal_.write32(base_ + regs::kEnable, 0);
}

void IrqDispatcher::attach(unsigned line, std::function<void()> handler) {
  if (line >= handlers_.size()) {
    throw std::out_of_range("interrupt line " + std::to_string(line) + " does not exist (controller has " +
                            std::to_string(handlers_.size()) + ")");
  }
  handlers_[line] = std::move(handler);
  enabled_ |= 1u << line;
  hal_.write32(base_ + regs::kEnable, enabled_);
}

void IrqDispatcher::service() {
  const uint32_t pending = hal_.read32(base_ + regs::kPending);
  for (unsigned line = 0; line < handlers_.size(); ++line) {
    if ((pending >> line) & 1u) handlers_[line]();
  }
}

void IrqDispatcher::wait_until(const std::function<bool()>& cond) {
  service();
  while (!cond()) {
    hal_.wait_for_interrupt();
    service();
  }
}

}  // namespace minconv::sw
