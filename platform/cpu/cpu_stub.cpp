#include "platform/cpu/cpu_stub.h"

#include <algorithm>
#include <sstream>

namespace minconv::platform {

CpuParams CpuParams::from_yaml(const config::YamlMap& m) {
  CpuParams p;
  p.clock_mhz = m.real_or("clock_mhz", p.clock_mhz, 1, 10000);
  p.quantum_cycles = static_cast<unsigned>(m.u64_or("quantum_cycles", p.quantum_cycles, 1, 10000000));
  p.line_bytes = static_cast<unsigned>(m.u64_or("line_bytes", p.line_bytes, 4, 4096));
  if ((p.line_bytes & (p.line_bytes - 1)) != 0) m.fail("line_bytes", "must be a power of two");
  p.wfi_timeout_us = m.real_or("wfi_timeout_us", p.wfi_timeout_us, 1, 1e9);
  return p;
}

nlohmann::json CpuParams::to_json() const {
  return {{"clock_mhz", clock_mhz},
          {"quantum_cycles", quantum_cycles},
          {"line_bytes", line_bytes},
          {"wfi_timeout_us", wfi_timeout_us}};
}

CpuStub::CpuStub(const sc_core::sc_module_name& name, const CpuParams& params, Program program)
    : sc_core::sc_module(name), socket("socket"), irq("irq"), params_(params), program_(std::move(program)) {
  qk_.set_global_quantum(params_.period() * params_.quantum_cycles);
  qk_.reset();
  SC_HAS_PROCESS(CpuStub);
  SC_THREAD(run);
}

void CpuStub::run() {
  if (gate_ != nullptr) sc_core::wait(*gate_);
  start_time_ = sc_core::sc_time_stamp();
  if (trace_ != nullptr) trace_->set_origin(start_time_);
  try {
    exit_code_ = program_(*this);
    if (exit_code_ != 0) failure_ = "the program returned " + std::to_string(exit_code_);
  } catch (const hal::BusError& e) {
    failure_ = std::string("bus error: ") + e.what();
  } catch (const hal::InterruptTimeout& e) {
    failure_ = std::string("interrupt timeout: ") + e.what();
  } catch (const std::exception& e) {
    failure_ = std::string("software exception: ") + e.what();
  }
  if (!failure_.empty()) {
    if (exit_code_ == 0 || exit_code_ == -1) exit_code_ = 1;
    SC_REPORT_ERROR(name(), failure_.c_str());
  }
  qk_.sync();
  end_time_ = sc_core::sc_time_stamp();
  traffic_.busy = end_time_ - start_time_;
  finished_ = true;
  done_event_.notify(sc_core::SC_ZERO_TIME);
}

void CpuStub::transfer(tlm::tlm_command cmd, uint32_t address, unsigned char* data, unsigned length) {
  tlm::tlm_generic_payload p;
  p.set_command(cmd);
  p.set_address(address);
  p.set_data_ptr(data);
  p.set_data_length(length);
  p.set_streaming_width(length);
  p.set_byte_enable_ptr(nullptr);
  p.set_dmi_allowed(false);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = qk_.get_local_time();
  socket->b_transport(p, delay);
  qk_.set(delay);
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    std::ostringstream msg;
    msg << (cmd == tlm::TLM_READ_COMMAND ? "read" : "write") << " of " << length << " bytes at 0x" << std::hex
        << address << ": " << p.get_response_string();
    throw hal::BusError(address, msg.str());
  }
  if (cmd == tlm::TLM_READ_COMMAND) {
    traffic_.read_bytes += length;
    ++traffic_.reads;
  } else {
    traffic_.write_bytes += length;
    ++traffic_.writes;
  }
  if (qk_.need_sync()) qk_.sync();
}

uint32_t CpuStub::read32(uint32_t address) {
  uint32_t value = 0;
  transfer(tlm::TLM_READ_COMMAND, address, reinterpret_cast<unsigned char*>(&value), 4);
  // Register reads observe the devices: bring the simulation up to the CPU's local time so that
  // polling sees progress.
  qk_.sync();
  return value;
}

uint32_t CpuStub::probe32(uint32_t address) {
  qk_.sync();  // the simulation catches up with the CPU's local time (no simulated time is added)
  uint32_t value = 0;
  tlm::tlm_generic_payload p;
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_address(address);
  p.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  p.set_data_length(4);
  p.set_streaming_width(4);
  if (socket->transport_dbg(p) != 4) {
    std::ostringstream msg;
    msg << "probe of 4 bytes at 0x" << std::hex << address << " found no register";
    throw hal::BusError(address, msg.str());
  }
  return value;
}

void CpuStub::write32(uint32_t address, uint32_t value) {
  transfer(tlm::TLM_WRITE_COMMAND, address, reinterpret_cast<unsigned char*>(&value), 4);
}

void CpuStub::read_block(uint32_t address, void* dst, std::size_t bytes) {
  const sc_core::sc_time t0 = local_time();
  const std::size_t total = bytes;
  auto* out = static_cast<unsigned char*>(dst);
  while (bytes > 0) {
    // Cache lines: never cross a line boundary.
    const unsigned in_line = params_.line_bytes - (address % params_.line_bytes);
    const unsigned n = static_cast<unsigned>(std::min<std::size_t>(bytes, in_line));
    transfer(tlm::TLM_READ_COMMAND, address, out, n);
    address += n;
    out += n;
    bytes -= n;
  }
  if (traces_steps()) trace_->complete(track_, "read block", t0, local_time(), {{"bytes", total}});
}

void CpuStub::write_block(uint32_t address, const void* src, std::size_t bytes) {
  const sc_core::sc_time t0 = local_time();
  const std::size_t total = bytes;
  const auto* in = static_cast<const unsigned char*>(src);
  while (bytes > 0) {
    const unsigned in_line = params_.line_bytes - (address % params_.line_bytes);
    const unsigned n = static_cast<unsigned>(std::min<std::size_t>(bytes, in_line));
    transfer(tlm::TLM_WRITE_COMMAND, address, const_cast<unsigned char*>(in), n);
    address += n;
    in += n;
    bytes -= n;
  }
  if (traces_steps()) trace_->complete(track_, "write block", t0, local_time(), {{"bytes", total}});
}

void CpuStub::wait_for_interrupt() {
  qk_.sync();
  ++interrupts_waited_;
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  wait_for_irq_line();
  if (traces_steps()) trace_->complete(track_, "wfi", t0, sc_core::sc_time_stamp());
}

void CpuStub::wait_for_irq_line() {
  if (irq.read()) return;
  const sc_core::sc_time timeout(params_.wfi_timeout_us, sc_core::SC_US);
  const sc_core::sc_time deadline = sc_core::sc_time_stamp() + timeout;
  while (!irq.read()) {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (now >= deadline) {
      std::ostringstream msg;
      msg << "no interrupt within " << params_.wfi_timeout_us << " us (waiting since " << (deadline - timeout)
          << ")";
      throw hal::InterruptTimeout(msg.str());
    }
    sc_core::wait(deadline - now, irq.value_changed_event());
  }
}

uint64_t CpuStub::cycles() const {
  // In integer time units: a double quotient can land just below a whole cycle and floor to one less.
  return local_time().value() / params_.period().value();
}

void CpuStub::spend(uint64_t cpu_cycles) {
  if (traces_steps()) {
    const sc_core::sc_time t = local_time();
    trace_->complete(track_, "compute", t, t + params_.period() * static_cast<double>(cpu_cycles),
                     {{"cycles", cpu_cycles}});
  }
  spent_cycles_ += cpu_cycles;
  qk_.inc(params_.period() * static_cast<double>(cpu_cycles));
  if (qk_.need_sync()) qk_.sync();
}

void CpuStub::set_trace(trace::TraceSink* sink) {
  trace_ = sink;
  if (sink != nullptr) track_ = sink->track("cpu");
}

void CpuStub::phase_begin(std::string_view name, bool step) {
  const bool traced = trace_ != nullptr && (!step || traces_steps());
  phase_traced_.push_back(traced);
  if (traced) trace_->begin(track_, name, local_time());
}

void CpuStub::phase_end() {
  if (phase_traced_.empty()) return;
  const bool traced = phase_traced_.back();
  phase_traced_.pop_back();
  if (traced && trace_ != nullptr) trace_->end(track_, local_time());
}

nlohmann::json CpuStub::stats_json() const {
  nlohmann::json j = traffic_.to_json();
  j["compute_cycles"] = spent_cycles_;
  j["interrupt_waits"] = interrupts_waited_;
  j["exit_code"] = exit_code_;
  return j;
}

}  // namespace minconv::platform
