#pragma once
// The accelerator with a test initiator on each window and signals on its outputs (accelerator, CSR and
// co-simulation tests).
#include <gtest/gtest.h>

#include <cstdint>

#include "accel/accelerator.h"
#include "sw/hal/regs/accel_regs.h"
#include "tests/common/test_initiator.h"

namespace minconv::accel::test {

namespace ra = regs::accel;

struct Bench {
  explicit Bench(const AccelParams& p) : accel("accel", p), csr("csr"), sram("sram") {
    csr.socket.bind(accel.csr_socket);
    sram.socket.bind(accel.sram_socket);
    accel.irq(irq);
    accel.busy(busy);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }

  uint32_t rd(uint32_t offset) {
    uint32_t v = 0xDEADBEEF;
    EXPECT_EQ(csr.read32(offset, v), tlm::TLM_OK_RESPONSE) << std::hex << offset;
    return v;
  }
  void wr(uint32_t offset, uint32_t v) {
    EXPECT_EQ(csr.write32(offset, v), tlm::TLM_OK_RESPONSE) << std::hex << offset;
  }
  uint64_t counter(uint32_t lo) {
    const uint64_t l = rd(lo);
    return l | (uint64_t{rd(lo + ra::kHiOffset)} << 32);
  }
  uint32_t error_code() { return (rd(ra::kStatus) & ra::kStatusErrCodeMask) >> ra::kStatusErrCodeShift; }
  // Runs until nothing is left to do (the tile finished).
  static void run() { sc_core::sc_start(); }

  sc_core::sc_signal<bool> irq{"irq"};
  sc_core::sc_signal<bool> busy{"busy"};
  Accelerator accel;
  testing::TestInitiator csr;
  testing::TestInitiator sram;
};

}  // namespace minconv::accel::test
