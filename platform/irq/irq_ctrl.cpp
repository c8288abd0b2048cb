#include "platform/irq/irq_ctrl.h"

#include <string>

#include "sw/hal/regs/irq_regs.h"

namespace minconv::platform {

namespace r = regs::irq;

namespace {
unsigned checked_lines(unsigned lines, const char* module) {
  if (lines < 1 || lines > 32) {
    SC_REPORT_ERROR(module, ("number of lines " + std::to_string(lines) + " is not in 1..32").c_str());
  }
  return lines;
}
}  // namespace

IrqCtrl::IrqCtrl(const sc_core::sc_module_name& name, unsigned lines, const sc_core::sc_time& access_latency)
    : sc_core::sc_module(name),
      socket("socket"),
      irq_in("irq_in", checked_lines(lines, static_cast<const char*>(name))),
      irq_out("irq_out"),
      line_mask_(lines >= 32 ? 0xFFFFFFFFu : (1u << lines) - 1),
      bank_(
          r::kBlock, [this](const RegAccess& a) { return read_reg(a); },
          [this](const RegAccess& a, uint32_t v) { write_reg(a, v); }, access_latency) {
  socket.register_b_transport(this, &IrqCtrl::b_transport);
  socket.register_transport_dbg(this, &IrqCtrl::transport_dbg);
  SC_HAS_PROCESS(IrqCtrl);
  SC_METHOD(update_output);
  for (auto& in : irq_in) {
    sensitive << in;
  }
  sensitive << enable_changed_;
}

uint32_t IrqCtrl::status() const {
  uint32_t s = 0;
  for (unsigned i = 0; i < irq_in.size(); ++i) {
    if (irq_in[i].read()) {
      s |= 1u << i;
    }
  }
  return s;
}

void IrqCtrl::update_output() { irq_out.write(pending() != 0); }

uint32_t IrqCtrl::read_reg(const RegAccess& access) const {
  switch (access.offset) {
    case r::kStatus:
      return status();
    case r::kEnable:
      return enable_;
    case r::kPending:
      return pending();
    default:  // r::kLines
      return lines();
  }
}

void IrqCtrl::write_reg(const RegAccess& access, uint32_t value) {
  // kEnable is the only writable register (the bank refuses writes to the others).
  enable_ = value & line_mask_;
  enable_changed_.notify(access.delay);  // takes effect at the writer's local time
}

}  // namespace minconv::platform
