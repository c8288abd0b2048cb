#pragma once
// A tiny test-only TLM memory: fixed latency per transaction, an access log, and address ranges that answer
// TLM_ADDRESS_ERROR_RESPONSE, so tests can count bursts and inject bus errors.
#include <cstdint>
#include <cstring>
#include <functional>
#include <utility>
#include <vector>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

namespace minconv::testing {

class TestMemory : public sc_core::sc_module {
 public:
  struct Access {
    tlm::tlm_command cmd;
    uint64_t address;
    unsigned length;
    sc_core::sc_time time;  // the initiator's local time at the access (sc_time_stamp() + delay)
  };

  tlm_utils::simple_target_socket<TestMemory> socket;
  std::vector<uint8_t> data;
  std::vector<Access> log;
  sc_core::sc_time latency;
  std::vector<std::pair<uint64_t, uint64_t>> read_errors;   // [first, last) ranges
  std::vector<std::pair<uint64_t, uint64_t>> write_errors;  // [first, last) ranges

  TestMemory(const sc_core::sc_module_name& name, size_t size, const sc_core::sc_time& access_latency)
      : sc_core::sc_module(name), socket("socket"), data(size, 0), latency(access_latency) {
    socket.register_b_transport(this, &TestMemory::b_transport);
  }

  void put32(uint64_t address, uint32_t value) {
    for (int i = 0; i < 4; ++i) {
      data.at(address + i) = static_cast<uint8_t>(value >> (8 * i));
    }
  }

  size_t count(tlm::tlm_command cmd) const {
    size_t n = 0;
    for (const Access& a : log) {
      n += a.cmd == cmd ? 1 : 0;
    }
    return n;
  }

 private:
  static bool hits(const std::vector<std::pair<uint64_t, uint64_t>>& ranges, uint64_t a, unsigned len) {
    for (const auto& r : ranges) {
      if (a < r.second && a + len > r.first) {
        return true;
      }
    }
    return false;
  }

  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const uint64_t a = p.get_address();
    const unsigned len = p.get_data_length();
    log.push_back({p.get_command(), a, len, sc_core::sc_time_stamp() + delay});
    delay += latency;
    if (p.get_response_status() != tlm::TLM_INCOMPLETE_RESPONSE || p.get_byte_enable_ptr() != nullptr ||
        p.get_streaming_width() != len) {
      p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);  // the DMA must not do this
      return;
    }
    if (a + len > data.size()) {
      p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (p.is_read()) {
      if (hits(read_errors, a, len)) {
        p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
      }
      std::memcpy(p.get_data_ptr(), data.data() + a, len);
    } else if (p.is_write()) {
      if (hits(write_errors, a, len)) {
        p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
      }
      std::memcpy(data.data() + a, p.get_data_ptr(), len);
    }
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// Runs a function as an SC_THREAD (a test's driver: CSR accesses with waits in between).
class TestDriver : public sc_core::sc_module {
 public:
  TestDriver(const sc_core::sc_module_name& name, std::function<void()> body)
      : sc_core::sc_module(name), body_(std::move(body)) {
    SC_HAS_PROCESS(TestDriver);
    SC_THREAD(run);
  }

 private:
  void run() { body_(); }
  std::function<void()> body_;
};

}  // namespace minconv::testing
