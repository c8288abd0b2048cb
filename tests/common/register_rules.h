#pragma once
// Table-driven checks of a CSR block against its register map (sw/hal/regs/): for every register its reset
// value and the access rules of platform/regs/register_bank.h, and for every hole in the block an address
// error. Used by the DMA, interrupt-controller and accelerator tests.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "sw/hal/regs/regmap.h"
#include "tests/common/test_initiator.h"

namespace minconv::testing {

// A block as the test sees it: a table at `base`, `size` bytes.
struct BankUnderTest {
  uint64_t base;
  regs::Registers registers;
  uint32_t size;
  // Values of the registers whose reset comes from the configuration, by offset in the table.
  std::map<uint32_t, uint32_t> config_reset;
  // Bits of a RW register that read back what was written (default: every RW field, or the whole word).
  std::function<uint32_t(const regs::Register&)> stored_bits;
};

// The bits of `r` that software can write and read back: its RW fields (or the whole word without fields).
inline uint32_t rw_bits(const regs::Register& r) {
  if (r.fields.size == 0) return 0xFFFFFFFFu;
  uint32_t m = 0;
  for (const regs::Field& f : r.fields) {
    if (f.access == regs::Access::kRW) m |= f.mask();
  }
  return m;
}

inline uint32_t expected_reset(const BankUnderTest& bank, const regs::Register& r) {
  if (r.reset_kind == regs::Reset::kValue) return r.reset;
  const auto it = bank.config_reset.find(r.offset);
  EXPECT_NE(it, bank.config_reset.end()) << r.name << ": the test gives no configured reset value";
  return it == bank.config_reset.end() ? 0 : it->second;
}

// Reset values (through debug reads, which have no side effects) and bus reads.
inline void expect_reset_values(TestInitiator& cpu, const BankUnderTest& bank) {
  for (const regs::Register& r : bank.registers) {
    uint32_t dbg = 0xDEADBEEF, bus = 0xDEADBEEF;
    EXPECT_EQ(cpu.debug_read(bank.base + r.offset, &dbg, 4), 4u) << r.name;
    EXPECT_EQ(dbg, expected_reset(bank, r)) << r.name;
    EXPECT_EQ(cpu.read32(bank.base + r.offset, bus), tlm::TLM_OK_RESPONSE) << r.name;
    EXPECT_EQ(bus, r.access == regs::Access::kWO ? 0u : expected_reset(bank, r)) << r.name;
  }
}

// Malformed accesses to every register, and writes by access kind. Call after expect_reset_values (RO
// registers are expected to keep their reset value).
inline void expect_access_rules(TestInitiator& cpu, const BankUnderTest& bank) {
  for (const regs::Register& r : bank.registers) {
    const uint64_t a = bank.base + r.offset;
    uint32_t v = 0;
    for (uint64_t misaligned = 1; misaligned < 4; ++misaligned) {
      EXPECT_EQ(cpu.read32(a + misaligned, v), tlm::TLM_ADDRESS_ERROR_RESPONSE) << r.name;
    }
    uint16_t half = 0;
    EXPECT_EQ(cpu.read(a, &half, 2), tlm::TLM_BURST_ERROR_RESPONSE) << r.name;
    uint64_t wide = 0;
    EXPECT_EQ(cpu.write(a, &wide, 8), tlm::TLM_BURST_ERROR_RESPONSE) << r.name;
    const uint32_t zero = 0;
    EXPECT_EQ(cpu.write_masked(a, &zero, 4, {0xFF, 0xFF, 0x00, 0xFF}), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE)
        << r.name;
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_IGNORE_COMMAND);
    p.set_address(a);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    p.set_data_length(4);
    p.set_streaming_width(4);
    EXPECT_EQ(cpu.transport(p), tlm::TLM_OK_RESPONSE) << r.name;

    const uint32_t before = expected_reset(bank, r);
    if (r.access == regs::Access::kRO) {
      EXPECT_EQ(cpu.write32(a, ~before), tlm::TLM_COMMAND_ERROR_RESPONSE) << r.name;
      EXPECT_EQ(cpu.read32(a, v), tlm::TLM_OK_RESPONSE) << r.name;
      EXPECT_EQ(v, before) << r.name << ": a refused write changed the register";
    } else if (r.access == regs::Access::kRW) {
      const uint32_t bits = bank.stored_bits ? bank.stored_bits(r) : rw_bits(r);
      const uint32_t pattern = 0xA5C3F00Fu & bits;
      EXPECT_EQ(cpu.write32(a, pattern), tlm::TLM_OK_RESPONSE) << r.name;
      EXPECT_EQ(cpu.read32(a, v), tlm::TLM_OK_RESPONSE) << r.name;
      EXPECT_EQ(v & rw_bits(r), pattern) << r.name;
      EXPECT_EQ(cpu.write32(a, before), tlm::TLM_OK_RESPONSE) << r.name;
    } else {  // W1C and WO: writing 0 is accepted and changes nothing
      EXPECT_EQ(cpu.write32(a, 0), tlm::TLM_OK_RESPONSE) << r.name;
      EXPECT_EQ(cpu.read32(a, v), tlm::TLM_OK_RESPONSE) << r.name;
      EXPECT_EQ(v, r.access == regs::Access::kWO ? 0u : before) << r.name;
    }
  }
}

// Every aligned offset of the block without a register (what lies past the block, another bank or
// nothing, is the caller's to check).
inline void expect_holes_are_errors(TestInitiator& cpu, const BankUnderTest& bank) {
  for (uint32_t offset = 0; offset < bank.size; offset += 4) {
    if (bank.registers.find(offset) != nullptr) continue;
    uint32_t v = 0;
    EXPECT_EQ(cpu.read32(bank.base + offset, v), tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << offset;
    EXPECT_EQ(cpu.write32(bank.base + offset, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << offset;
    EXPECT_EQ(cpu.debug_read(bank.base + offset, &v, 4), 0u) << std::hex << offset;
  }
}

inline void expect_register_map(TestInitiator& cpu, const BankUnderTest& bank) {
  expect_reset_values(cpu, bank);
  expect_access_rules(cpu, bank);
  expect_holes_are_errors(cpu, bank);
  // Debug writes are refused: register writes have side effects.
  const uint32_t one = 1;
  for (const regs::Register& r : bank.registers) {
    EXPECT_EQ(cpu.debug_write(bank.base + r.offset, &one, 4), 0u) << r.name;
  }
}

}  // namespace minconv::testing
