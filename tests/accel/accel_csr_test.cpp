// The accelerator's CSRs against the register map: every register's reset value and access rules (the
// register bank's), then the exact statuses of some misuses and the side-effect-free debug reads.
#include <gtest/gtest.h>

#include "tests/accel/accel_bench.h"
#include "tests/common/register_rules.h"

namespace minconv::accel {
namespace {

namespace ra = regs::accel;
using test::Bench;

TEST(AcceleratorCsr, EveryRegisterFollowsTheMap) {
  AccelParams p;
  p.rows = 4;
  p.cols = 16;
  p.pe = PeKind::kMul;
  p.clock_mhz = 250;
  Bench b(p);
  testing::BankUnderTest bank{0, ra::kRegisters, ra::kCsrSize, {}, nullptr};
  bank.config_reset = {{ra::kPeKind, ra::kPeMul},
                       {ra::kRows, 4},
                       {ra::kCols, 16},
                       {ra::kClockKhz, 250000},
                       {ra::kInBufOffset, 0},
                       {ra::kInBufBytes, p.input_buffer_bytes},
                       {ra::kWtBufOffset, p.input_buffer_bytes},
                       {ra::kWtBufBytes, p.weight_buffer_bytes},
                       {ra::kOutBufOffset, p.input_buffer_bytes + p.weight_buffer_bytes},
                       {ra::kOutBufBytes, p.output_buffer_bytes},
                       {ra::kMaxPool, 4}};  // the pooling unit's largest window (accel.pooling: true)
  testing::expect_register_map(b.csr, bank);
  EXPECT_EQ(b.accel.errors(), 0u);  // no access started a tile
}

// The descriptor packing against the bit layout documented in docs/accelerator.md, written out by hand.
TEST(AcceleratorCsr, DescriptorPackingMatchesTheDocumentedLayout) {
  ra::TileDesc d;
  d.in_addr = 0x1234;
  d.in_h = 0x21;
  d.in_w = 0x345;
  d.in_c = 17;
  d.pad_top = 1;
  d.pad_left = 2;
  d.pad_bottom = 3;
  d.pad_right = 4;
  d.kh = 5;
  d.kw = 7;
  d.stride_h = 2;
  d.stride_w = 3;
  d.out_h = 0x99;
  d.out_w = 0xAB;
  d.out_c = 33;
  d.wt_addr = 0x40;
  d.q_addr = 0x800;
  d.out_addr = 0x10;
  d.raw_output = true;
  d.pool_mode = ra::kPoolAvg;
  d.pool_k = 3;
  d.pool_stride = 2;
  const ra::DescWords w = ra::pack(d);
  const ra::DescWords expected = {0x1234, 0x03450021, 17,    0x04030201, 0x03020705, 0x00AB0099,
                                  33,     0x40,       0x800, 0x10,       0x2,        0x00020302};
  EXPECT_EQ(w, expected);
  const ra::TileDesc back = ra::unpack(w);
  EXPECT_EQ(ra::pack(back), w);
  EXPECT_EQ(back.in_w, 0x345u);
  EXPECT_TRUE(back.raw_output);
  EXPECT_FALSE(back.relu);
  EXPECT_EQ(back.pool_mode, ra::kPoolAvg);
  EXPECT_EQ(back.pool_k, 3u);
  EXPECT_EQ(back.pool_stride, 2u);
  // Fields keep their width: a value too wide for a field does not spill into its neighbour.
  d.in_h = 0x10000;
  EXPECT_EQ(ra::pack(d)[ra::desc_index(ra::kInShape)], 0x03450000u);
  EXPECT_FALSE(ra::field::kInH.fits(0x10000));
}

TEST(AcceleratorCsr, DebugReadsDoNotLatchCounters) {
  Bench b(AccelParams{});
  const sc_core::sc_time cycle = b.accel.clock_period();
  b.wr(ra::kCtrl, ra::kCtrlLayerBegin);  // takes effect one cycle after now
  sc_core::sc_start(cycle * 10.0);
  EXPECT_EQ(b.rd(ra::kCntStallLo), 10u);  // read at now + 1 cycle; latches HI = 0
  sc_core::sc_start(cycle * 5e9);         // the stall count passes 2^32
  uint32_t lo = 0;
  EXPECT_EQ(b.csr.debug_read(ra::kCntStallLo, &lo, 4), 4u);
  EXPECT_EQ(lo, static_cast<uint32_t>(uint64_t{5000000000} + 10 - 1));  // debug reads see now, not now + 1
  EXPECT_EQ(b.rd(ra::kCntStallLo + ra::kHiOffset), 0u);                 // the debug read latched nothing
  EXPECT_EQ(b.counter(ra::kCntStallLo) >> 32, 1u);                      // a bus read of LO does
  // A debug read of the whole descriptor at once, and one that runs into the hole after FLAGS.
  uint32_t desc[ra::kDescWords + 1] = {};
  EXPECT_EQ(b.csr.debug_read(ra::kInAddr, desc, 4 * ra::kDescWords), 4 * ra::kDescWords);
  EXPECT_EQ(b.csr.debug_read(ra::kInAddr, desc, 4 * (ra::kDescWords + 1)), 4 * ra::kDescWords);
}

TEST(AcceleratorCsr, MisuseGetsExactTlmStatus) {
  Bench b(AccelParams{});
  uint32_t v = 0;
  EXPECT_EQ(b.csr.read32(0x002, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // unaligned
  EXPECT_EQ(b.csr.write32(ra::kOutC + 1, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  uint16_t half = 0;
  EXPECT_EQ(b.csr.read(ra::kStatus, &half, 2), tlm::TLM_BURST_ERROR_RESPONSE);  // bad length
  uint64_t dword = 0;
  EXPECT_EQ(b.csr.read(ra::kCntBusyLo, &dword, 8), tlm::TLM_BURST_ERROR_RESPONSE);
  for (uint32_t unmapped : {0x03Cu, 0x04Cu, 0x07Cu, 0x0B0u, 0x0FCu, 0x138u, 0x1FCu, 0x200u, 0x10000u}) {
    EXPECT_EQ(b.csr.read32(unmapped, v), tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << unmapped;
    EXPECT_EQ(b.csr.write32(unmapped, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << unmapped;
  }
  // Read-only registers refuse writes and keep their value.
  EXPECT_EQ(b.csr.write32(ra::kId, 0), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(b.csr.write32(ra::kRows, 3), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(b.csr.write32(ra::kCntTilesLo, 3), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(b.rd(ra::kId), ra::kIdValue);
  EXPECT_EQ(b.rd(ra::kRows), 8u);
  const uint32_t one = 1;
  EXPECT_EQ(b.csr.write_masked(ra::kOutC, &one, 4, {0xFF, 0x00, 0xFF, 0xFF}),
            tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  // The misuse changed nothing.
  EXPECT_EQ(b.rd(ra::kStatus), 0u);
  EXPECT_EQ(b.rd(ra::kOutC), 0u);
  // Debug reads of the CSRs work without side effects.
  uint32_t id = 0;
  EXPECT_EQ(b.csr.debug_read(ra::kId, &id, 4), 4u);
  EXPECT_EQ(id, ra::kIdValue);
}

}  // namespace
}  // namespace minconv::accel
