#include "platform/irq/irq_ctrl.h"

#include <cstring>
#include <string>

#include "platform/irq/irq_regs.h"

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
      latency_(access_latency) {
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

tlm::tlm_response_status IrqCtrl::read_reg(uint32_t offset, uint32_t& value) const {
  switch (offset) {
    case r::kStatus:
      value = status();
      return tlm::TLM_OK_RESPONSE;
    case r::kEnable:
      value = enable_;
      return tlm::TLM_OK_RESPONSE;
    case r::kPending:
      value = pending();
      return tlm::TLM_OK_RESPONSE;
    case r::kLines:
      value = lines();
      return tlm::TLM_OK_RESPONSE;
    default:
      return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
}

tlm::tlm_response_status IrqCtrl::write_reg(uint32_t offset, uint32_t value, const sc_core::sc_time& delay) {
  switch (offset) {
    case r::kEnable:
      enable_ = value & line_mask_;
      enable_changed_.notify(delay);  // takes effect at the writer's local time
      return tlm::TLM_OK_RESPONSE;
    case r::kStatus:
    case r::kPending:
    case r::kLines:
      return tlm::TLM_COMMAND_ERROR_RESPONSE;  // read-only
    default:
      return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
}

void IrqCtrl::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t address = trans.get_address();
  const unsigned length = trans.get_data_length();
  bool byte_enables_ok = true;
  if (trans.get_byte_enable_ptr() != nullptr) {
    const unsigned be_length = trans.get_byte_enable_length();
    byte_enables_ok = be_length > 0;
    for (unsigned i = 0; i < length && be_length > 0; ++i) {
      byte_enables_ok = byte_enables_ok && trans.get_byte_enable_ptr()[i % be_length] == TLM_BYTE_ENABLED;
    }
  }
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  if (address % 4 != 0 || address >= r::kSize) {
    status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
  } else if (length != 4 || trans.get_streaming_width() < length) {
    status = tlm::TLM_BURST_ERROR_RESPONSE;
  } else if (!byte_enables_ok) {
    status = tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  } else {
    const auto offset = static_cast<uint32_t>(address);
    uint32_t value = 0;
    if (trans.is_read()) {
      status = read_reg(offset, value);
      if (status == tlm::TLM_OK_RESPONSE) {
        std::memcpy(trans.get_data_ptr(), &value, 4);
      }
    } else if (trans.is_write()) {
      std::memcpy(&value, trans.get_data_ptr(), 4);
      status = write_reg(offset, value, delay);
    } else {
      status = read_reg(offset, value);  // TLM_IGNORE_COMMAND: only the address is checked
    }
  }
  delay += latency_;
  trans.set_response_status(status);
}

unsigned IrqCtrl::transport_dbg(tlm::tlm_generic_payload& trans) {
  const uint64_t address = trans.get_address();
  const unsigned length = trans.get_data_length();
  if (!trans.is_read() || address % 4 != 0 || length % 4 != 0) {
    return 0;
  }
  unsigned done = 0;
  while (done < length) {
    uint32_t value = 0;
    if (address + done >= r::kSize ||
        read_reg(static_cast<uint32_t>(address + done), value) != tlm::TLM_OK_RESPONSE) {
      break;
    }
    std::memcpy(trans.get_data_ptr() + done, &value, 4);
    done += 4;
  }
  trans.set_response_status(done == length ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
  return done;
}

}  // namespace minconv::platform
