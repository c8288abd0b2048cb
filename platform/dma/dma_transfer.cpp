#include "platform/dma/dma.h"

#include <algorithm>
#include <sstream>

// The transfer side of the DMA engine: the channel threads, descriptor fetches and the bursts of a
// transfer (scheduled by BurstWindow). Registers, interrupts and statistics are in dma.cpp.

namespace minconv::platform {

namespace r = regs::dma;

namespace {

constexpr unsigned word(uint32_t offset) { return offset / 4; }

uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace

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
    const sc_core::sc_time start = sc_core::sc_time_stamp();
    const uint64_t bytes0 = ch.stats.bytes, descriptors0 = ch.stats.descriptors;
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
    if (trace_ != nullptr) trace_job(c, start, bytes0, descriptors0);
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
  if (t[word(r::kRowBytes)] == 0 || t[word(r::kRows)] == 0 || t[word(r::kPlanes)] == 0) {
    finish_job(c, r::kErrBadConfig, desc_address);
    return false;
  }
  const sc_core::sc_time start = sc_core::sc_time_stamp();
  BurstSequence bursts(t, params_.burst_bytes);
  BurstWindow window(params_.outstanding, params_.burst_bytes, setup_time());
  const BurstWindow::Result result = window.run(
      bursts, sc_core::sc_time_stamp(),
      [this](const BurstWindow::Access& a, sc_core::sc_time& done) { return timed_access(a, done); },
      [&ch](unsigned bytes) {
        ch.bytes_done += bytes;
        ch.stats.bytes += bytes;
      });
  sync_to(result.end);  // the job ends when every access it issued has completed
  if (trace_ != nullptr && desc_address != 0 && trace_->wants(trace::Detail::kFolds)) {
    const uint64_t bytes = uint64_t{t[word(r::kRowBytes)]} * t[word(r::kRows)] * t[word(r::kPlanes)];
    trace_->complete(tracks_[c], "descriptor", start, sc_core::sc_time_stamp(),
                     {{"bytes", bytes}, {"at", desc_address}});
  }
  if (result.error_code != r::kErrNone) {
    finish_job(c, result.error_code, result.error_address);
    return false;
  }
  return true;
}

void Dma::sync_to(const sc_core::sc_time& t) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (t > now) sc_core::wait(t - now);
}

tlm::tlm_response_status Dma::timed_access(const BurstWindow::Access& a, sc_core::sc_time& done) {
  // Synchronise first, so that every channel's accesses reach the shared resources in time order. The
  // window never schedules an access before the current time (its times start at the job's start and
  // never decrease), so after sync_to() the access is issued exactly at a.at with a zero delay.
  sync_to(a.at);
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  const tlm::tlm_response_status status = transport(a.command, a.address, a.data, a.bytes, delay);
  done = now + delay;
  return status;
}

tlm::tlm_response_status Dma::bus_access(tlm::tlm_command cmd, uint64_t address, uint8_t* data,
                                         unsigned length, sc_core::sc_time delay) {
  const tlm::tlm_response_status status = transport(cmd, address, data, length, delay);
  sc_core::wait(delay);  // the DMA consumes the time it was annotated
  return status;
}

tlm::tlm_response_status Dma::transport(tlm::tlm_command cmd, uint64_t address, uint8_t* data,
                                        unsigned length, sc_core::sc_time& delay) {
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

}  // namespace minconv::platform
