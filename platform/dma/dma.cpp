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

uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

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
  return p;
}

nlohmann::json DmaParams::to_json() const {
  return {{"channels", channels},
          {"burst_bytes", burst_bytes},
          {"clock_mhz", clock_mhz},
          {"setup_cycles", setup_cycles}};
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
// Transfers

void Dma::channel_thread(unsigned c) {
  Channel& ch = *channels_[c];
  for (;;) {
    while (!ch.pending) {
      sc_core::wait(ch.start_event);
    }
    ch.pending = false;
    channel_active(true);
    bool ok = true;
    if (ch.desc_mode) {
      uint32_t next = ch.job[word(r::kNext)];
      if (next == 0) {
        finish_job(c, r::kErrBadConfig, 0);  // an empty descriptor list
        ok = false;
      }
      while (ok && next != 0) {
        Transfer d{};
        ok = fetch_descriptor(c, next, d) && run_transfer(c, d, next);
        next = d[word(r::kNext)];
      }
    } else {
      ok = run_transfer(c, ch.job, 0);
    }
    if (ok) {
      finish_job(c, r::kErrNone, 0);
    }
    channel_active(false);
  }
}

bool Dma::fetch_descriptor(unsigned c, uint32_t address, Transfer& t) {
  Channel& ch = *channels_[c];
  if (address % 4 != 0) {
    finish_job(c, r::kErrBadConfig, address);
    return false;
  }
  std::array<uint8_t, r::kDescWords * 4> raw{};
  for (unsigned off = 0; off < raw.size(); off += params_.burst_bytes) {
    const unsigned n = std::min<unsigned>(params_.burst_bytes, static_cast<unsigned>(raw.size()) - off);
    if (bus_access(tlm::TLM_READ_COMMAND, address + off, raw.data() + off, n, setup_time()) !=
        tlm::TLM_OK_RESPONSE) {
      finish_job(c, r::kErrDescBus, address + off);
      return false;
    }
  }
  for (unsigned i = 0; i < r::kDescWords; ++i) {
    t[i] = load_le32(raw.data() + 4 * i);
  }
  ++ch.stats.descriptors;
  return true;
}

bool Dma::run_transfer(unsigned c, const Transfer& t, uint32_t desc_address) {
  Channel& ch = *channels_[c];
  const uint32_t src = t[word(r::kSrc)];
  const uint32_t dst = t[word(r::kDst)];
  const uint32_t row_bytes = t[word(r::kRowBytes)];
  const uint32_t rows = t[word(r::kRows)];
  const uint32_t planes = t[word(r::kPlanes)];
  if (row_bytes == 0 || rows == 0 || planes == 0) {
    finish_job(c, r::kErrBadConfig, desc_address);
    return false;
  }
  std::vector<uint8_t> buffer(params_.burst_bytes);
  for (uint32_t p = 0; p < planes; ++p) {
    for (uint32_t row = 0; row < rows; ++row) {
      // 32-bit bus addresses: the arithmetic wraps as the hardware's adders would.
      const uint32_t src_row = src + p * t[word(r::kSrcPlaneStride)] + row * t[word(r::kSrcRowStride)];
      const uint32_t dst_row = dst + p * t[word(r::kDstPlaneStride)] + row * t[word(r::kDstRowStride)];
      for (uint32_t off = 0; off < row_bytes; off += params_.burst_bytes) {
        const unsigned n = std::min<uint32_t>(params_.burst_bytes, row_bytes - off);
        if (bus_access(tlm::TLM_READ_COMMAND, src_row + off, buffer.data(), n, setup_time()) !=
            tlm::TLM_OK_RESPONSE) {
          finish_job(c, r::kErrReadBus, src_row + off);
          return false;
        }
        if (bus_access(tlm::TLM_WRITE_COMMAND, dst_row + off, buffer.data(), n, sc_core::SC_ZERO_TIME) !=
            tlm::TLM_OK_RESPONSE) {
          finish_job(c, r::kErrWriteBus, dst_row + off);
          return false;
        }
        ch.bytes_done += n;
        ch.stats.bytes += n;
      }
    }
  }
  return true;
}

tlm::tlm_response_status Dma::bus_access(tlm::tlm_command cmd, uint64_t address, uint8_t* data,
                                         unsigned length, sc_core::sc_time delay) {
  tlm::tlm_generic_payload p;
  p.set_command(cmd);
  p.set_address(address);
  p.set_data_ptr(data);
  p.set_data_length(length);
  p.set_streaming_width(length);
  p.set_byte_enable_ptr(nullptr);
  p.set_byte_enable_length(0);
  p.set_dmi_allowed(false);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  bus_socket->b_transport(p, delay);
  sc_core::wait(delay);  // the DMA consumes the time it was annotated
  const tlm::tlm_response_status status = p.get_response_status();
  if (status == tlm::TLM_OK_RESPONSE) {
    traffic_.record(cmd, length, sc_core::SC_ZERO_TIME);
  }
  return status;
}

void Dma::finish_job(unsigned c, uint32_t error_code, uint32_t error_addr) {
  Channel& ch = *channels_[c];
  ch.status &= ~r::kStatusBusy;
  if (error_code == r::kErrNone) {
    ch.status |= r::kStatusDone;
  } else {
    ch.error_addr = error_addr;
    set_error(c, error_code);
    std::ostringstream msg;
    msg << "channel " << c << ": job failed with error code " << error_code << " at address 0x" << std::hex
        << error_addr;
    SC_REPORT_WARNING(name(), msg.str().c_str());
  }
  ++ch.stats.jobs;
  irq_event_.notify(sc_core::SC_ZERO_TIME);
}

void Dma::set_error(unsigned c, uint32_t error_code) {
  Channel& ch = *channels_[c];
  ch.status = (ch.status & ~r::kStatusErrCodeMask) | r::kStatusError |
              ((error_code << r::kStatusErrCodeShift) & r::kStatusErrCodeMask);
  ++ch.stats.errors;
}

sc_core::sc_time Dma::setup_time() const { return cycle_ * static_cast<double>(params_.setup_cycles); }

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
