#include "platform/dma/dma.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace minconv::platform {

namespace r = regs::dma;

namespace {

constexpr uint32_t kCtrlWritable = r::kCtrlDescMode | r::kCtrlIrqEnable;

constexpr unsigned word(uint32_t offset) { return offset / 4; }

bool is_power_of_two(unsigned v) { return v != 0 && (v & (v - 1)) == 0; }

// Validates the parameters before anything is sized from them (SC_REPORT_ERROR throws).
const DmaParams& checked(const DmaParams& p, const char* module) {
  const std::string error = p.validate();
  if (!error.empty()) {
    SC_REPORT_ERROR(module, ("invalid DMA parameters: " + error).c_str());
  }
  return p;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Parameters

DmaParams DmaParams::from_yaml(const config::YamlMap& m) {
  DmaParams p;
  p.channels = static_cast<unsigned>(m.u64_or("channels", p.channels, 1, 8));
  p.burst_bytes = static_cast<unsigned>(m.u64_or("burst_bytes", p.burst_bytes, 4, 4096));
  if (!is_power_of_two(p.burst_bytes)) {
    m.fail("burst_bytes", "must be a power of two (4..4096)");
  }
  p.clock_mhz = m.real_or("clock_mhz", p.clock_mhz, 1.0, 10000.0);
  p.setup_cycles = static_cast<unsigned>(m.u64_or("setup_cycles", p.setup_cycles, 0, 1024));
  p.outstanding = static_cast<unsigned>(m.u64_or("outstanding", p.outstanding, 1, kMaxOutstanding));
  return p;
}

nlohmann::json DmaParams::to_json() const {
  return {{"channels", channels},
          {"burst_bytes", burst_bytes},
          {"clock_mhz", clock_mhz},
          {"setup_cycles", setup_cycles},
          {"outstanding", outstanding}};
}

std::string DmaParams::validate() const {
  std::ostringstream out;
  if (channels < 1 || channels > 8) {
    out << "channels = " << channels << " is not in 1..8";
  } else if (burst_bytes < 4 || burst_bytes > 4096 || !is_power_of_two(burst_bytes)) {
    out << "burst_bytes = " << burst_bytes << " is not a power of two in 4..4096";
  } else if (!(clock_mhz >= 1.0 && clock_mhz <= 10000.0)) {
    out << "clock_mhz = " << clock_mhz << " is not in 1..10000";
  } else if (setup_cycles > 1024) {
    out << "setup_cycles = " << setup_cycles << " is not in 0..1024";
  } else if (outstanding < 1 || outstanding > kMaxOutstanding) {
    out << "outstanding = " << outstanding << " is not in 1.." << kMaxOutstanding;
  }
  return out.str();
}

// ---------------------------------------------------------------------------------------------------------
// Construction

Dma::Dma(const sc_core::sc_module_name& name, const DmaParams& params)
    : sc_core::sc_module(name),
      csr_socket("csr_socket"),
      bus_socket("bus_socket"),
      irq("irq", checked(params, static_cast<const char*>(name)).channels),
      params_(params),
      cycle_(sc_core::sc_time(1000.0 / params.clock_mhz, sc_core::SC_NS)) {
  csr_socket.register_b_transport(this, &Dma::b_transport);
  csr_socket.register_transport_dbg(this, &Dma::transport_dbg);

  for (unsigned c = 0; c < params_.channels; ++c) {
    channels_.push_back(std::make_unique<Channel>());
  }
  for (unsigned c = 0; c < params_.channels; ++c) {
    sc_core::sc_spawn([this, c] { channel_thread(c); }, ("channel_" + std::to_string(c)).c_str());
  }

  SC_HAS_PROCESS(Dma);
  SC_METHOD(drive_irqs);
  sensitive << irq_event_;
}

// ---------------------------------------------------------------------------------------------------------
// Registers

void Dma::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t address = trans.get_address();
  const unsigned length = trans.get_data_length();
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;

  bool byte_enables_ok = true;
  if (trans.get_byte_enable_ptr() != nullptr) {
    const unsigned be_length = trans.get_byte_enable_length();
    for (unsigned i = 0; i < length && be_length > 0; ++i) {
      byte_enables_ok = byte_enables_ok && trans.get_byte_enable_ptr()[i % be_length] == TLM_BYTE_ENABLED;
    }
    byte_enables_ok = byte_enables_ok && be_length > 0;
  }

  if (address % 4 != 0 || address >= csr_size()) {
    status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
  } else if (length != 4 || trans.get_streaming_width() < length) {
    status = tlm::TLM_BURST_ERROR_RESPONSE;
  } else if (!byte_enables_ok) {
    status = tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  } else {
    const auto offset = static_cast<uint32_t>(address);
    uint32_t value = 0;
    switch (trans.get_command()) {
      case tlm::TLM_READ_COMMAND:
        status = read_reg(offset, value);
        if (status == tlm::TLM_OK_RESPONSE) {
          std::memcpy(trans.get_data_ptr(), &value, 4);
        }
        break;
      case tlm::TLM_WRITE_COMMAND:
        std::memcpy(&value, trans.get_data_ptr(), 4);
        status = write_reg(offset, value, delay);
        break;
      default:  // TLM_IGNORE_COMMAND: only the address is checked
        status = read_reg(offset, value);
        break;
    }
  }
  delay += cycle_;
  trans.set_response_status(status);
}

unsigned Dma::transport_dbg(tlm::tlm_generic_payload& trans) {
  const uint64_t address = trans.get_address();
  const unsigned length = trans.get_data_length();
  if (trans.get_command() != tlm::TLM_READ_COMMAND || address % 4 != 0 || length % 4 != 0) {
    return 0;  // debug writes would have side effects (start, W1C): refused
  }
  unsigned done = 0;
  while (done < length) {
    uint32_t value = 0;
    if (address + done >= csr_size() ||
        read_reg(static_cast<uint32_t>(address + done), value) != tlm::TLM_OK_RESPONSE) {
      break;
    }
    std::memcpy(trans.get_data_ptr() + done, &value, 4);
    done += 4;
  }
  trans.set_response_status(done == length ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
  return done;
}

tlm::tlm_response_status Dma::read_reg(uint32_t offset, uint32_t& value) const {
  if (offset < r::kChannelBase) {
    switch (offset) {
      case r::kId:
        value = r::kIdValue;
        return tlm::TLM_OK_RESPONSE;
      case r::kChannels:
        value = params_.channels;
        return tlm::TLM_OK_RESPONSE;
      case r::kBurst:
        value = params_.burst_bytes;
        return tlm::TLM_OK_RESPONSE;
      default:
        return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
  }
  const unsigned c = (offset - r::kChannelBase) / r::kChannelStride;
  const uint32_t reg = (offset - r::kChannelBase) % r::kChannelStride;
  if (c >= channels_.size()) {
    return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
  const Channel& ch = *channels_[c];
  if (reg < r::kCtrl) {
    value = ch.regs[word(reg)];
    return tlm::TLM_OK_RESPONSE;
  }
  switch (reg) {
    case r::kCtrl:
      value = ch.ctrl;  // kCtrlStart reads as 0
      return tlm::TLM_OK_RESPONSE;
    case r::kStatus:
      value = ch.status;
      return tlm::TLM_OK_RESPONSE;
    case r::kBytesDone:
      value = ch.bytes_done;
      return tlm::TLM_OK_RESPONSE;
    case r::kErrorAddr:
      value = ch.error_addr;
      return tlm::TLM_OK_RESPONSE;
    default:
      return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
}

tlm::tlm_response_status Dma::write_reg(uint32_t offset, uint32_t value, const sc_core::sc_time& delay) {
  if (offset < r::kChannelBase) {
    uint32_t ignored = 0;
    const tlm::tlm_response_status mapped = read_reg(offset, ignored);
    return mapped == tlm::TLM_OK_RESPONSE ? tlm::TLM_COMMAND_ERROR_RESPONSE : mapped;  // all global regs RO
  }
  const unsigned c = (offset - r::kChannelBase) / r::kChannelStride;
  const uint32_t reg = (offset - r::kChannelBase) % r::kChannelStride;
  if (c >= channels_.size()) {
    return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
  Channel& ch = *channels_[c];
  if (reg < r::kCtrl) {
    ch.regs[word(reg)] = value;
    return tlm::TLM_OK_RESPONSE;
  }
  switch (reg) {
    case r::kCtrl:
      write_ctrl(c, value, delay);
      return tlm::TLM_OK_RESPONSE;
    case r::kStatus:
      if (value & r::kStatusDone) {
        ch.status &= ~r::kStatusDone;
      }
      if (value & r::kStatusError) {
        ch.status &= ~(r::kStatusError | r::kStatusErrCodeMask);
      }
      irq_event_.notify(delay);
      return tlm::TLM_OK_RESPONSE;
    case r::kBytesDone:
    case r::kErrorAddr:
      return tlm::TLM_COMMAND_ERROR_RESPONSE;  // read-only
    default:
      return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
}

void Dma::write_ctrl(unsigned c, uint32_t value, const sc_core::sc_time& delay) {
  Channel& ch = *channels_[c];
  if (ch.status & r::kStatusBusy) {
    ch.ctrl = (ch.ctrl & ~r::kCtrlIrqEnable) | (value & r::kCtrlIrqEnable);
    if (value & r::kCtrlStart) {
      SC_REPORT_WARNING(name(), ("channel " + std::to_string(c) + ": start while busy ignored").c_str());
      set_error(c, r::kErrStartBusy);
    }
  } else {
    ch.ctrl = value & kCtrlWritable;
    if (value & r::kCtrlStart) {
      ch.status = r::kStatusBusy;
      ch.bytes_done = 0;
      ch.error_addr = 0;
      ch.job = ch.regs;
      ch.desc_mode = (value & r::kCtrlDescMode) != 0;
      ch.pending = true;
      ch.start_event.notify(delay);  // the job starts at the initiator's local time
    }
  }
  irq_event_.notify(delay);
}

// ---------------------------------------------------------------------------------------------------------
// Interrupts

bool Dma::irq_level(unsigned c) const {
  const Channel& ch = *channels_[c];
  return (ch.status & (r::kStatusDone | r::kStatusError)) != 0 && (ch.ctrl & r::kCtrlIrqEnable) != 0;
}

void Dma::drive_irqs() {
  for (unsigned c = 0; c < channels_.size(); ++c) {
    irq[c].write(irq_level(c));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

void Dma::channel_active(bool active) {
  if (active) {
    if (active_channels_++ == 0) {
      active_since_ = sc_core::sc_time_stamp();
    }
  } else if (--active_channels_ == 0) {
    traffic_.busy += sc_core::sc_time_stamp() - active_since_;
  }
}

TrafficStats Dma::traffic() const {
  TrafficStats t = traffic_;
  if (active_channels_ > 0) {
    t.busy += sc_core::sc_time_stamp() - active_since_;
  }
  return t;
}

nlohmann::json Dma::stats_json() const {
  nlohmann::json j = traffic().to_json();
  nlohmann::json per_channel = nlohmann::json::array();
  for (const auto& ch : channels_) {
    per_channel.push_back({{"jobs", ch->stats.jobs},
                           {"bytes", ch->stats.bytes},
                           {"errors", ch->stats.errors},
                           {"descriptors", ch->stats.descriptors}});
  }
  j["channels"] = std::move(per_channel);
  j["config"] = params_.to_json();
  return j;
}

}  // namespace minconv::platform
