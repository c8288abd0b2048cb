#include "platform/memory/memory.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace minconv::platform {

namespace {

constexpr uint64_t kMinSize = uint64_t{4} << 10;
constexpr uint64_t kMaxSize = uint64_t{4} << 30;
constexpr double kMinClockMhz = 1;
constexpr double kMaxClockMhz = 10000;
constexpr unsigned kMaxLatency = 1000;
constexpr unsigned kMaxBytesPerCycle = 512;

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// Empty if the parameters are usable, otherwise what is wrong with them.
std::string problem_with(const MemoryParams& p) {
  std::ostringstream why;
  if (p.size < kMinSize || p.size > kMaxSize) {
    why << "size " << p.size << " is out of range [" << kMinSize << ", " << kMaxSize << "]";
  } else if (!(p.clock_mhz >= kMinClockMhz && p.clock_mhz <= kMaxClockMhz)) {
    why << "clock_mhz " << p.clock_mhz << " is out of range [" << kMinClockMhz << ", " << kMaxClockMhz << "]";
  } else if (p.latency_cycles > kMaxLatency) {
    why << "latency_cycles " << p.latency_cycles << " is out of range [0, " << kMaxLatency << "]";
  } else if (!is_power_of_two(p.bytes_per_cycle) || p.bytes_per_cycle > kMaxBytesPerCycle) {
    why << "bytes_per_cycle " << p.bytes_per_cycle << " must be a power of two in [1, " << kMaxBytesPerCycle
        << "]";
  }
  return why.str();
}

}  // namespace

MemoryParams MemoryParams::from_yaml(const config::YamlMap& m) {
  MemoryParams p;
  p.size = m.u64("size", kMinSize, kMaxSize);
  p.clock_mhz = m.real_or("clock_mhz", p.clock_mhz, kMinClockMhz, kMaxClockMhz);
  p.latency_cycles = static_cast<unsigned>(m.u64_or("latency_cycles", p.latency_cycles, 0, kMaxLatency));
  p.bytes_per_cycle =
      static_cast<unsigned>(m.u64_or("bytes_per_cycle", p.bytes_per_cycle, 1, kMaxBytesPerCycle));
  if (!is_power_of_two(p.bytes_per_cycle)) {
    m.fail("bytes_per_cycle", "value " + std::to_string(p.bytes_per_cycle) + " is not a power of two");
  }
  return p;
}

nlohmann::json MemoryParams::to_json() const {
  return {{"size", size},
          {"clock_mhz", clock_mhz},
          {"latency_cycles", latency_cycles},
          {"bytes_per_cycle", bytes_per_cycle}};
}

double MemoryParams::peak_bandwidth_bytes_per_s() const { return clock_mhz * 1e6 * bytes_per_cycle; }

Memory::Memory(const sc_core::sc_module_name& name, const MemoryParams& params)
    : sc_core::sc_module(name), socket("socket"), params_(params) {
  const std::string problem = problem_with(params_);
  if (!problem.empty()) {
    SC_REPORT_ERROR(this->name(), ("invalid parameters: " + problem).c_str());
    params_ = MemoryParams{};  // if the report does not throw, run with sane values
  }
  pages_.resize(static_cast<std::size_t>((params_.size + kPageSize - 1) / kPageSize));
  socket.register_b_transport(this, &Memory::b_transport);
  socket.register_transport_dbg(this, &Memory::transport_dbg);
}

std::size_t Memory::allocated_pages() const {
  return static_cast<std::size_t>(
      std::count_if(pages_.begin(), pages_.end(), [](const auto& page) { return page != nullptr; }));
}

tlm::tlm_response_status Memory::check(const tlm::tlm_generic_payload& trans, bool debug) const {
  const tlm::tlm_command cmd = trans.get_command();
  if (cmd != tlm::TLM_READ_COMMAND && cmd != tlm::TLM_WRITE_COMMAND && cmd != tlm::TLM_IGNORE_COMMAND) {
    return tlm::TLM_COMMAND_ERROR_RESPONSE;
  }
  const uint64_t address = trans.get_address();
  const uint64_t length = trans.get_data_length();
  if (address >= params_.size || length > params_.size - address) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (cmd == tlm::TLM_IGNORE_COMMAND) return tlm::TLM_OK_RESPONSE;
  if (length == 0 || trans.get_data_ptr() == nullptr) return tlm::TLM_GENERIC_ERROR_RESPONSE;
  // Debug transport has no streaming width; for timed accesses a width below the length would mean a
  // streaming (FIFO) burst, which a memory does not support.
  if (!debug && trans.get_streaming_width() < length) return tlm::TLM_BURST_ERROR_RESPONSE;
  if (trans.get_byte_enable_ptr() != nullptr && trans.get_byte_enable_length() == 0) {
    return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  }
  return tlm::TLM_OK_RESPONSE;
}

void Memory::copy(tlm::tlm_generic_payload& trans) {
  const bool write = trans.is_write();
  const uint8_t* be = trans.get_byte_enable_ptr();
  const unsigned be_len = trans.get_byte_enable_length();
  uint8_t* data = trans.get_data_ptr();
  uint64_t address = trans.get_address();
  unsigned done = 0;
  const unsigned length = trans.get_data_length();
  while (done < length) {
    const std::size_t page_index = static_cast<std::size_t>(address / kPageSize);
    const uint64_t offset = address % kPageSize;
    const unsigned chunk = static_cast<unsigned>(std::min<uint64_t>(length - done, kPageSize - offset));
    std::unique_ptr<uint8_t[]>& page = pages_[page_index];
    if (write && page == nullptr) page = std::make_unique<uint8_t[]>(kPageSize);  // zero-filled
    if (be == nullptr) {
      if (write) {
        std::memcpy(page.get() + offset, data + done, chunk);
      } else if (page != nullptr) {
        std::memcpy(data + done, page.get() + offset, chunk);
      } else {
        std::memset(data + done, 0, chunk);
      }
    } else {
      // Byte i of the data is enabled by byte_enable[i % byte_enable_length] == TLM_BYTE_ENABLED; disabled
      // bytes are neither written to memory nor modified in the initiator's buffer.
      for (unsigned i = 0; i < chunk; ++i) {
        const unsigned k = done + i;
        if (be[k % be_len] != TLM_BYTE_ENABLED) continue;
        if (write) {
          page[offset + i] = data[k];
        } else {
          data[k] = page != nullptr ? page[offset + i] : 0;
        }
      }
    }
    done += chunk;
    address += chunk;
  }
}

sc_core::sc_time Memory::cycles_to_time(uint64_t cycles) const {
  return sc_core::sc_time(static_cast<double>(cycles) * 1e3 / params_.clock_mhz, sc_core::SC_NS);
}

void Memory::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const tlm::tlm_response_status status = check(trans, false);
  if (status != tlm::TLM_OK_RESPONSE) {
    trans.set_response_status(status);
    std::ostringstream msg;
    msg << "access at 0x" << std::hex << trans.get_address() << " refused: " << trans.get_response_string();
    SC_REPORT_INFO_VERB(name(), msg.str().c_str(), sc_core::SC_DEBUG);
    return;
  }
  const bool has_data = trans.get_command() != tlm::TLM_IGNORE_COMMAND;
  if (has_data) copy(trans);
  trans.set_dmi_allowed(false);

  // The access latency is a pipeline latency; the data bus carries one request's beats at a time.
  const uint64_t length = has_data ? trans.get_data_length() : 0;
  const uint64_t beats = (length + params_.bytes_per_cycle - 1) / params_.bytes_per_cycle;
  const sc_core::sc_time occupancy = cycles_to_time(beats);
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const timing::SharedResource::Slot slot =
      data_bus_.reserve(now + delay, cycles_to_time(params_.latency_cycles), occupancy);
  delay = slot.end - now;
  stats_.record(trans.get_command(), length, occupancy);
  if (trace_ != nullptr) {
    const bool read = trans.get_command() == tlm::TLM_READ_COMMAND;
    trace_->counter(counter_, slot.start, slot.end, read ? length : 0, trans.is_write() ? length : 0);
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned Memory::transport_dbg(tlm::tlm_generic_payload& trans) {
  if (trans.get_command() == tlm::TLM_IGNORE_COMMAND || check(trans, true) != tlm::TLM_OK_RESPONSE) return 0;
  copy(trans);
  return trans.get_data_length();
}

nlohmann::json Memory::stats_json() const {
  nlohmann::json j = stats_.to_json();
  j["peak_bandwidth_gbps"] = params_.peak_bandwidth_bytes_per_s() / 1e9;
  j["wait_ns"] = data_bus_.wait_time().to_seconds() * 1e9;
  return j;
}

}  // namespace minconv::platform
