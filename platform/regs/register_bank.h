#pragma once
// The TLM side of a register block described by regs::Register tables (sw/hal/regs/regmap.h): one
// implementation of the access rules for every CSR block (DMA, interrupt controller, accelerator). The
// component keeps the register state and attaches the behaviour as read and write callbacks.
//
// b_transport (the latency is added to `delay` in every case, errors included):
// - misaligned address, address beyond the block, or a hole (no register there): TLM_ADDRESS_ERROR_RESPONSE;
// - data length other than 4, or a streaming width below 4: TLM_BURST_ERROR_RESPONSE;
// - byte enables that do not enable all four bytes (or a zero byte-enable length):
//   TLM_BYTE_ENABLE_ERROR_RESPONSE (byte enables that enable every byte are accepted);
// - a write to a read-only register: TLM_COMMAND_ERROR_RESPONSE, and nothing changes;
// - TLM_IGNORE_COMMAND: only the checks above, no callback;
// - otherwise the read or write callback, then TLM_OK_RESPONSE. Write-only registers read as 0 without a
//   callback.
// transport_dbg: reads only, from an aligned address, a whole number of words; every register is read
// through the read callback with RegAccess::debug set (the callback must have no side effects). The read
// stops at the first hole or at the end of the block: the return value is the bytes read, the status
// TLM_OK_RESPONSE if all were read, else TLM_ADDRESS_ERROR_RESPONSE. Debug writes are refused (return 0):
// register writes have side effects (start, write-1-to-clear).
#include <cstdint>
#include <functional>

#include <systemc>
#include <tlm>

#include "sw/hal/regs/regmap.h"

namespace minconv::platform {

// One register access, as a callback sees it.
struct RegAccess {
  uint32_t offset;                // offset of the register in the block
  const regs::Register& reg;      // its description
  const sc_core::sc_time& delay;  // b_transport: the initiator's delay as received (before the latency)
  bool debug;                     // transport_dbg: no side effects allowed
};

class RegisterBank {
 public:
  // The register at an aligned offset inside the block, or nullptr for a hole.
  using Lookup = std::function<const regs::Register*(uint32_t offset)>;
  using Read = std::function<uint32_t(const RegAccess&)>;
  using Write = std::function<void(const RegAccess&, uint32_t value)>;

  RegisterBank(uint32_t size, Lookup lookup, Read read, Write write, const sc_core::sc_time& latency);
  // A block described by a single table.
  RegisterBank(const regs::Block& block, Read read, Write write, const sc_core::sc_time& latency);

  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);

  uint32_t size() const { return size_; }
  uint64_t reads() const { return reads_; }    // successful b_transport reads
  uint64_t writes() const { return writes_; }  // successful b_transport writes

 private:
  // The register a payload addresses, with TLM_OK_RESPONSE, or the error status of the access.
  tlm::tlm_response_status check(const tlm::tlm_generic_payload& trans, const regs::Register*& reg) const;
  const regs::Register* find(uint64_t address) const;

  uint32_t size_;
  Lookup lookup_;
  Read read_;
  Write write_;
  sc_core::sc_time latency_;
  uint64_t reads_ = 0;
  uint64_t writes_ = 0;
};

}  // namespace minconv::platform
