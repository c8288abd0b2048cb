#pragma once
// Interrupt handling without an ISR: software sleeps in WFI, then services every pending line by asking
// the drivers that registered for it. Completion is recorded in software, so level-triggered lines are
// acknowledged at once and WFI blocks until the next event.
#include <cstdint>
#include <functional>
#include <vector>

#include "sw/hal/hal.h"
#include "sw/hal/soc_info.h"

namespace minconv::sw {

class IrqDispatcher {
 public:
  IrqDispatcher(hal::Hal& hal, const hal::SocInfo& soc);

  // Enables line `line` and calls `handler` whenever it is pending.
  void attach(unsigned line, std::function<void()> handler);
  // Services all pending lines once.
  void service();
  // Sleeps (WFI) and services interrupts until cond() holds.
  void wait_until(const std::function<bool()>& cond);

 private:
  hal::Hal& hal_;
  uint32_t base_;
  uint32_t enabled_ = 0;
  std::vector<std::function<void()>> handlers_;
};

}  // namespace minconv::sw
