#pragma once
// Interrupt controller: N level-sensitive input lines, an enable mask, and one output line to the CPU,
// asserted while (status & enable) != 0. Register map: sw/hal/regs/irq_regs.h.
//
// Register accesses follow platform/regs/register_bank.h (error statuses, debug reads). Enable bits above
// the number of lines are not stored (read as 0).
#include <cstdint>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "platform/regs/register_bank.h"

namespace minconv::platform {

class IrqCtrl : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<IrqCtrl> socket;
  sc_core::sc_vector<sc_core::sc_in<bool>> irq_in;  // input lines, 1..32
  sc_core::sc_out<bool> irq_out;                    // to the CPU: (status & enable) != 0

  // `access_latency` is added to the delay of every register access.
  IrqCtrl(const sc_core::sc_module_name& name, unsigned lines,
          const sc_core::sc_time& access_latency = sc_core::SC_ZERO_TIME);

  unsigned lines() const { return static_cast<unsigned>(irq_in.size()); }
  uint32_t status() const;  // raw input levels
  uint32_t enable() const { return enable_; }
  uint32_t pending() const { return status() & enable_; }

 private:
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& d) { bank_.b_transport(t, d); }
  unsigned transport_dbg(tlm::tlm_generic_payload& t) { return bank_.transport_dbg(t); }
  uint32_t read_reg(const RegAccess& access) const;
  void write_reg(const RegAccess& access, uint32_t value);
  void update_output();  // SC_METHOD: sensitive to the inputs and to enable writes

  uint32_t enable_ = 0;
  uint32_t line_mask_ = 0;
  RegisterBank bank_;
  sc_core::sc_event enable_changed_;
};

}  // namespace minconv::platform
