#include "tests/common/test_initiator.h"

namespace minconv::testing {

TestInitiator::TestInitiator(const sc_core::sc_module_name& name)
    : sc_core::sc_module(name), socket("socket") {}

tlm::tlm_response_status TestInitiator::transport(tlm::tlm_generic_payload& payload) {
  payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  socket->b_transport(payload, delay);
  last_delay_ = delay;
  return payload.get_response_status();
}

tlm::tlm_response_status TestInitiator::access(tlm::tlm_command cmd, uint64_t address, void* data,
                                               unsigned length, const std::vector<uint8_t>* byte_enable) {
  tlm::tlm_generic_payload p;
  p.set_command(cmd);
  p.set_address(address);
  p.set_data_ptr(static_cast<unsigned char*>(data));
  p.set_data_length(length);
  p.set_streaming_width(length);
  if (byte_enable != nullptr) {
    p.set_byte_enable_ptr(const_cast<unsigned char*>(byte_enable->data()));
    p.set_byte_enable_length(static_cast<unsigned>(byte_enable->size()));
  }
  return transport(p);
}

tlm::tlm_response_status TestInitiator::read(uint64_t address, void* data, unsigned length) {
  return access(tlm::TLM_READ_COMMAND, address, data, length, nullptr);
}

tlm::tlm_response_status TestInitiator::write(uint64_t address, const void* data, unsigned length) {
  return access(tlm::TLM_WRITE_COMMAND, address, const_cast<void*>(data), length, nullptr);
}

tlm::tlm_response_status TestInitiator::read32(uint64_t address, uint32_t& value) {
  return read(address, &value, 4);
}

tlm::tlm_response_status TestInitiator::write32(uint64_t address, uint32_t value) {
  return write(address, &value, 4);
}

tlm::tlm_response_status TestInitiator::write_masked(uint64_t address, const void* data, unsigned length,
                                                     const std::vector<uint8_t>& byte_enable) {
  return access(tlm::TLM_WRITE_COMMAND, address, const_cast<void*>(data), length, &byte_enable);
}

unsigned TestInitiator::debug_read(uint64_t address, void* data, unsigned length) {
  tlm::tlm_generic_payload p;
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_address(address);
  p.set_data_ptr(static_cast<unsigned char*>(data));
  p.set_data_length(length);
  return socket->transport_dbg(p);
}

unsigned TestInitiator::debug_write(uint64_t address, const void* data, unsigned length) {
  tlm::tlm_generic_payload p;
  p.set_command(tlm::TLM_WRITE_COMMAND);
  p.set_address(address);
  p.set_data_ptr(static_cast<unsigned char*>(const_cast<void*>(data)));
  p.set_data_length(length);
  return socket->transport_dbg(p);
}

}  // namespace minconv::testing
