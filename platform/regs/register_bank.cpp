#include "platform/regs/register_bank.h"

#include <cstring>
#include <utility>

namespace minconv::platform {

namespace {
constexpr unsigned kWord = 4;

bool all_bytes_enabled(const tlm::tlm_generic_payload& trans) {
  const unsigned char* be = trans.get_byte_enable_ptr();
  if (be == nullptr) return true;
  const unsigned be_length = trans.get_byte_enable_length();
  if (be_length == 0) return false;
  for (unsigned i = 0; i < trans.get_data_length(); ++i) {
    if (be[i % be_length] != TLM_BYTE_ENABLED) return false;
  }
  return true;
}
}  // namespace

RegisterBank::RegisterBank(uint32_t size, Lookup lookup, Read read, Write write,
                           const sc_core::sc_time& latency)
    : size_(size),
      lookup_(std::move(lookup)),
      read_(std::move(read)),
      write_(std::move(write)),
      latency_(latency) {}

RegisterBank::RegisterBank(const regs::Block& block, Read read, Write write, const sc_core::sc_time& latency)
    : RegisterBank(
          block.size, [registers = block.registers](uint32_t offset) { return registers.find(offset); },
          std::move(read), std::move(write), latency) {}

const regs::Register* RegisterBank::find(uint64_t address) const {
  if (address % kWord != 0 || address >= size_) return nullptr;
  return lookup_(static_cast<uint32_t>(address));
}

tlm::tlm_response_status RegisterBank::check(const tlm::tlm_generic_payload& trans,
                                             const regs::Register*& reg) const {
  reg = find(trans.get_address());
  if (reg == nullptr) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (trans.get_data_length() != kWord || trans.get_streaming_width() < kWord) {
    return tlm::TLM_BURST_ERROR_RESPONSE;
  }
  if (!all_bytes_enabled(trans)) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  if (trans.is_write() && reg->access == regs::Access::kRO) return tlm::TLM_COMMAND_ERROR_RESPONSE;
  return tlm::TLM_OK_RESPONSE;
}

void RegisterBank::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const regs::Register* reg = nullptr;
  const tlm::tlm_response_status status = check(trans, reg);
  if (status == tlm::TLM_OK_RESPONSE && !(trans.get_command() == tlm::TLM_IGNORE_COMMAND)) {
    const RegAccess access{static_cast<uint32_t>(trans.get_address()), *reg, delay, false};
    if (trans.is_read()) {
      const uint32_t value = reg->access == regs::Access::kWO ? 0u : read_(access);
      std::memcpy(trans.get_data_ptr(), &value, kWord);
      ++reads_;
    } else {
      uint32_t value = 0;
      std::memcpy(&value, trans.get_data_ptr(), kWord);
      write_(access, value);
      ++writes_;
    }
  }
  delay += latency_;
  trans.set_response_status(status);
}

unsigned RegisterBank::transport_dbg(tlm::tlm_generic_payload& trans) {
  const uint64_t address = trans.get_address();
  const unsigned length = trans.get_data_length();
  if (!trans.is_read() || address % kWord != 0 || length % kWord != 0) return 0;
  const sc_core::sc_time no_delay = sc_core::SC_ZERO_TIME;
  unsigned done = 0;
  for (; done < length; done += kWord) {
    const regs::Register* reg = find(address + done);
    if (reg == nullptr) break;
    const RegAccess access{static_cast<uint32_t>(address + done), *reg, no_delay, true};
    const uint32_t value = reg->access == regs::Access::kWO ? 0u : read_(access);
    std::memcpy(trans.get_data_ptr() + done, &value, kWord);
  }
  trans.set_response_status(done == length ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
  return done;
}

}  // namespace minconv::platform
