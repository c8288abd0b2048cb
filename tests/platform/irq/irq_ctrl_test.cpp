#include "platform/irq/irq_ctrl.h"

#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "platform/dma/dma.h"
#include "sw/hal/regs/dma_regs.h"
#include "sw/hal/regs/irq_regs.h"
#include "tests/common/register_rules.h"
#include "tests/common/test_initiator.h"
#include "tests/platform/dma/test_memory.h"

namespace minconv::platform {
namespace {

namespace r = regs::irq;
using minconv::testing::TestDriver;
using minconv::testing::TestInitiator;
using sc_core::SC_NS;
using sc_core::sc_time;

struct Bench {
  IrqCtrl ctrl;
  TestInitiator cpu;
  sc_core::sc_vector<sc_core::sc_signal<bool>> lines;
  sc_core::sc_signal<bool> out{"out"};
  std::unique_ptr<TestDriver> driver;

  explicit Bench(unsigned n) : ctrl("irq", n, sc_time(1, SC_NS)), cpu("cpu"), lines("line", n) {
    cpu.socket.bind(ctrl.socket);
    for (unsigned i = 0; i < n; ++i) {
      ctrl.irq_in[i].bind(lines[i]);
    }
    ctrl.irq_out.bind(out);
  }
  uint32_t rd(uint32_t address) {
    uint32_t v = 0;
    EXPECT_EQ(cpu.read32(address, v), tlm::TLM_OK_RESPONSE);
    return v;
  }
  void wr(uint32_t address, uint32_t v) { EXPECT_EQ(cpu.write32(address, v), tlm::TLM_OK_RESPONSE); }
};

TEST(IrqTest, StatusEnablePendingAndOutput) {
  Bench b(4);
  struct Sample {
    uint32_t status, enable, pending;
    bool out;
  };
  std::vector<Sample> s;
  uint32_t lines = 0;
  b.driver = std::make_unique<TestDriver>("driver", [&] {
    auto sample = [&] {
      sc_core::wait(sc_time(1, SC_NS));
      s.push_back({b.rd(r::kStatus), b.rd(r::kEnable), b.rd(r::kPending), b.out.read()});
    };
    lines = b.rd(r::kLines);
    sample();  // 0: all quiet
    b.lines[1].write(true);
    b.lines[3].write(true);
    sample();  // 1: raw status only
    b.wr(r::kEnable, 0x1);
    sample();                      // 2: enabled line not raised
    b.wr(r::kEnable, 0xFFFFFFFF);  // bits above the lines are not stored
    sample();                      // 3: pending 1 and 3
    b.lines[1].write(false);
    b.lines[3].write(false);
    sample();  // 4: lines dropped: output follows
    b.lines[2].write(true);
    sample();  // 5: enabled line raised
    b.wr(r::kEnable, 0x3);
    sample();  // 6: masked by enable write
  });
  sc_core::sc_start(sc_time(1, sc_core::SC_US));
  EXPECT_EQ(lines, 4u);
  ASSERT_EQ(s.size(), 7u);
  EXPECT_EQ(s[0].status, 0u);
  EXPECT_FALSE(s[0].out);
  EXPECT_EQ(s[1].status, 0xAu);
  EXPECT_EQ(s[1].pending, 0u);
  EXPECT_FALSE(s[1].out);
  EXPECT_EQ(s[2].pending, 0u);
  EXPECT_FALSE(s[2].out);
  EXPECT_EQ(s[3].enable, 0xFu);
  EXPECT_EQ(s[3].pending, 0xAu);
  EXPECT_TRUE(s[3].out);
  EXPECT_EQ(s[4].status, 0u);
  EXPECT_FALSE(s[4].out);
  EXPECT_EQ(s[5].pending, 0x4u);
  EXPECT_TRUE(s[5].out);
  EXPECT_EQ(s[6].status, 0x4u);
  EXPECT_EQ(s[6].pending, 0u);
  EXPECT_FALSE(s[6].out);
}

// Every register against sw/hal/regs/irq_regs.h: reset value, access rules, holes. ENABLE stores one bit per
// line.
TEST(IrqTest, EveryRegisterFollowsTheMap) {
  Bench b(5);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  testing::BankUnderTest bank{0, r::kRegisters, r::kSize, {{r::kLines, 5}}, nullptr};
  bank.stored_bits = [](const regs::Register& reg) { return reg.offset == r::kEnable ? 0x1Fu : 0xFFFFFFFFu; };
  testing::expect_register_map(b.cpu, bank);
}

TEST(IrqTest, CsrMisuseGetsErrorResponses) {
  Bench b(2);
  uint32_t v = 0;
  EXPECT_EQ(b.cpu.read32(r::kEnable + 1, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.cpu.read32(r::kSize, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.cpu.write32(r::kSize, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  uint16_t half = 0;
  EXPECT_EQ(b.cpu.read(r::kEnable, &half, 2), tlm::TLM_BURST_ERROR_RESPONSE);
  const uint32_t one = 1;
  EXPECT_EQ(b.cpu.write_masked(r::kEnable, &one, 4, {0x00, 0xFF, 0xFF, 0xFF}),
            tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  EXPECT_EQ(b.cpu.write32(r::kStatus, 1), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(b.cpu.write32(r::kPending, 1), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(b.cpu.write32(r::kLines, 1), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(b.cpu.write32(r::kEnable, 3), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.cpu.last_delay(), sc_time(1, SC_NS));
  uint32_t regs[4] = {};
  EXPECT_EQ(b.cpu.debug_read(r::kStatus, regs, 16), 16u);
  EXPECT_EQ(regs[1], 3u);
  EXPECT_EQ(regs[3], 2u);
  EXPECT_EQ(b.cpu.debug_write(r::kEnable, &one, 4), 0u);
}

TEST(IrqTest, LineCountIsChecked) {
  EXPECT_THROW(IrqCtrl("none", 0), sc_core::sc_report);
  EXPECT_THROW(IrqCtrl("too_many", 33), sc_core::sc_report);
}

// The DMA's channel lines through the controller to the CPU line.
TEST(IrqTest, DmaCompletionReachesCpuLine) {
  namespace d = regs::dma;
  DmaParams p;
  p.channels = 2;
  Dma dma("dma", p);
  IrqCtrl ctrl("irq", 2);
  minconv::testing::TestMemory mem("mem", 0x1000, sc_time(5, SC_NS));
  TestInitiator cpu("cpu");
  TestInitiator cpu_irq("cpu_irq");
  sc_core::sc_vector<sc_core::sc_signal<bool>> lines("line", 2);
  sc_core::sc_signal<bool> out("out");
  cpu.socket.bind(dma.csr_socket);
  cpu_irq.socket.bind(ctrl.socket);
  dma.bus_socket.bind(mem.socket);
  for (unsigned i = 0; i < 2; ++i) {
    dma.irq[i].bind(lines[i]);
    ctrl.irq_in[i].bind(lines[i]);
  }
  ctrl.irq_out.bind(out);
  sc_time raised;
  uint32_t pending = 0, pending_after = 1;
  TestDriver driver("driver", [&] {
    const uint32_t ch1 = d::kChannelBase + d::kChannelStride;
    EXPECT_EQ(cpu_irq.write32(r::kEnable, 0x2), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(cpu.write32(ch1 + d::kSrc, 0x100), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(cpu.write32(ch1 + d::kDst, 0x800), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(cpu.write32(ch1 + d::kRowBytes, 64), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(cpu.write32(ch1 + d::kRows, 1), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(cpu.write32(ch1 + d::kPlanes, 1), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(cpu.write32(ch1 + d::kCtrl, d::kCtrlStart | d::kCtrlIrqEnable), tlm::TLM_OK_RESPONSE);
    sc_core::wait(out.posedge_event());
    raised = sc_core::sc_time_stamp();
    EXPECT_EQ(cpu_irq.read32(r::kPending, pending), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(cpu.write32(ch1 + d::kStatus, d::kStatusDone), tlm::TLM_OK_RESPONSE);
    sc_core::wait(sc_time(1, SC_NS));
    EXPECT_FALSE(out.read());
    EXPECT_EQ(cpu_irq.read32(r::kPending, pending_after), tlm::TLM_OK_RESPONSE);
  });
  sc_core::sc_start(sc_time(1, sc_core::SC_US));
  EXPECT_GT(raised, sc_core::SC_ZERO_TIME);
  EXPECT_EQ(pending, 0x2u);
  EXPECT_EQ(pending_after, 0u);
}

}  // namespace
}  // namespace minconv::platform
