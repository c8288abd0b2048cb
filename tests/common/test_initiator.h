#pragma once
// A reusable TLM initiator for tests: every access returns the response status, so tests assert on
// errors as well as on data. Accesses may be made from sc_main (outside any process) as long as the
// targets do not call wait(), which loosely-timed targets never do.
#include <cstdint>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

namespace minconv::testing {

class TestInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TestInitiator> socket;

  explicit TestInitiator(const sc_core::sc_module_name& name);

  // Timed accesses through b_transport; the annotated delay of the last access is in last_delay().
  tlm::tlm_response_status read(uint64_t address, void* data, unsigned length);
  tlm::tlm_response_status write(uint64_t address, const void* data, unsigned length);
  tlm::tlm_response_status read32(uint64_t address, uint32_t& value);
  tlm::tlm_response_status write32(uint64_t address, uint32_t value);
  // Write with byte enables (byte_enable[i % be.size()] == 0xFF enables byte i).
  tlm::tlm_response_status write_masked(uint64_t address, const void* data, unsigned length,
                                        const std::vector<uint8_t>& byte_enable);
  // Any payload, filled by the caller; the status is set to TLM_INCOMPLETE_RESPONSE first.
  tlm::tlm_response_status transport(tlm::tlm_generic_payload& payload);
  // Debug transport: returns the number of bytes the target handled.
  unsigned debug_read(uint64_t address, void* data, unsigned length);
  unsigned debug_write(uint64_t address, const void* data, unsigned length);

  const sc_core::sc_time& last_delay() const { return last_delay_; }

 private:
  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t address, void* data, unsigned length,
                                  const std::vector<uint8_t>* byte_enable);
  sc_core::sc_time last_delay_ = sc_core::SC_ZERO_TIME;
};

}  // namespace minconv::testing
