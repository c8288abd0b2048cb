#include "platform/dma/dma.h"

#include <algorithm>
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
      cycle_(sc_core::sc_time(1000.0 / params.clock_mhz, sc_core::SC_NS)),
      bank_(
          csr_size(params.channels), [this](uint32_t offset) { return find_reg(offset); },
          [this](const RegAccess& a) { return read_reg(a); },
          [this](const RegAccess& a, uint32_t v) { write_reg(a, v); }, cycle_) {
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

const regs::Register* Dma::find_reg(uint32_t offset) const {
  if (offset < r::kChannelBase) return r::kGlobalBlock.registers.find(offset);
  const unsigned c = (offset - r::kChannelBase) / r::kChannelStride;
  if (c >= params_.channels) return nullptr;
  return r::kChannelBlock.registers.find((offset - r::kChannelBase) % r::kChannelStride);
}

uint32_t Dma::read_reg(const RegAccess& access) const {
  switch (access.offset) {
    case r::kId:
      return r::kIdValue;
    case r::kChannels:
      return params_.channels;
    case r::kBurst:
      return params_.burst_bytes;
    default:
      break;
  }
  const unsigned c = (access.offset - r::kChannelBase) / r::kChannelStride;
  const uint32_t reg = access.reg.offset;
  const Channel& ch = *channels_[c];
  switch (reg) {
    case r::kCtrl:
      return ch.ctrl;  // kCtrlStart reads as 0
    case r::kStatus:
      return ch.status;
    case r::kBytesDone:
      return ch.bytes_done;
    case r::kErrorAddr:
      return ch.error_addr;
    default:  // the transfer registers kSrc..kNext
      return ch.regs[word(reg)];
  }
}

void Dma::write_reg(const RegAccess& access, uint32_t value) {
  // Only channel registers are writable (the bank refuses writes to read-only ones).
  const unsigned c = (access.offset - r::kChannelBase) / r::kChannelStride;
  const uint32_t reg = access.reg.offset;
  Channel& ch = *channels_[c];
  if (reg == r::kCtrl) {
    write_ctrl(c, value, access.delay);
  } else if (reg == r::kStatus) {
    if (value & r::kStatusDone) ch.status &= ~r::kStatusDone;
    if (value & r::kStatusError) ch.status &= ~(r::kStatusError | r::kStatusErrCodeMask);
    irq_event_.notify(access.delay);
  } else {
    ch.regs[word(reg)] = value;
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
    if (trace_ != nullptr) trace_->counter(busy_counter_, active_since_, sc_core::sc_time_stamp());
  }
}

// ---------------------------------------------------------------------------------------------------------
// Trace

void Dma::set_trace(trace::TraceSink* sink) {
  trace_ = sink;
  if (sink == nullptr) return;
  tracks_.clear();
  for (unsigned c = 0; c < params_.channels; ++c)
    tracks_.push_back(sink->track("dma ch" + std::to_string(c)));
  busy_counter_ = sink->counter_track("dma", false);
}

void Dma::trace_job(unsigned c, const sc_core::sc_time& start, uint64_t bytes0, uint64_t descriptors0) {
  if (!trace_->wants(trace::Detail::kTiles)) return;
  const Channel& ch = *channels_[c];
  nlohmann::json args = {{"bytes", ch.stats.bytes - bytes0}};
  if (ch.desc_mode) args["descriptors"] = ch.stats.descriptors - descriptors0;
  if (ch.status & r::kStatusError)
    args["error"] = (ch.status & r::kStatusErrCodeMask) >> r::kStatusErrCodeShift;
  trace_->complete(tracks_[c], ch.desc_mode ? "list" : "job", start, sc_core::sc_time_stamp(), args);
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
