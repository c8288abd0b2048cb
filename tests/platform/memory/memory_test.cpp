// Tests of the DRAM model. Each test runs in its own process (SystemC elaborates once per process).
#include "platform/memory/memory.h"

#include <array>
#include <cstring>
#include <functional>
#include <numeric>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/common/test_initiator.h"

namespace minconv::platform {
namespace {

using minconv::testing::TestInitiator;
using sc_core::SC_NS;
using sc_core::sc_time;
using ::testing::HasSubstr;

// A memory with one test initiator bound to it, elaborated and ready for accesses from sc_main.
struct Bench {
  TestInitiator init;
  Memory mem;
  explicit Bench(const MemoryParams& p) : init("init"), mem("mem", p) {
    init.socket.bind(mem.socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
};

// 1 GHz clock so that one cycle is exactly 1 ns.
MemoryParams fast_params() {
  MemoryParams p;
  p.size = 1 << 20;
  p.clock_mhz = 1000;
  p.latency_cycles = 10;
  p.bytes_per_cycle = 8;
  return p;
}

std::string config_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(MemoryTest, DataRoundTripIncludingPageBoundary) {
  Bench b(fast_params());
  std::vector<uint8_t> out(300);
  std::iota(out.begin(), out.end(), uint8_t{1});
  // Crosses the first 64 KiB host page boundary.
  const uint64_t addr = Memory::kPageSize - 100;
  ASSERT_EQ(b.init.write(addr, out.data(), static_cast<unsigned>(out.size())), tlm::TLM_OK_RESPONSE);
  std::vector<uint8_t> in(out.size(), 0xEE);
  ASSERT_EQ(b.init.read(addr, in.data(), static_cast<unsigned>(in.size())), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(in, out);

  ASSERT_EQ(b.init.write32(0x10, 0xDEADBEEF), tlm::TLM_OK_RESPONSE);
  uint32_t v = 0;
  ASSERT_EQ(b.init.read32(0x10, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0xDEADBEEFu);
  // Unaligned read of the middle of the word (little-endian host).
  uint8_t mid[2] = {};
  ASSERT_EQ(b.init.read(0x11, mid, 2), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(mid[0], 0xBE);
  EXPECT_EQ(mid[1], 0xAD);
  // Last bytes of the memory are accessible.
  ASSERT_EQ(b.init.write32((1 << 20) - 4, 0x01020304), tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(b.init.read32((1 << 20) - 4, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0x01020304u);
}

TEST(MemoryTest, WriteByteEnablesRepeatShortPattern) {
  Bench b(fast_params());
  const std::array<uint8_t, 8> ones = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11};
  ASSERT_EQ(b.init.write(0x100, ones.data(), 8), tlm::TLM_OK_RESPONSE);
  const std::array<uint8_t, 8> data = {0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7};
  // Two-byte enable pattern for eight data bytes: enables bytes 0, 2, 4, 6.
  ASSERT_EQ(b.init.write_masked(0x100, data.data(), 8, {0xFF, 0x00}), tlm::TLM_OK_RESPONSE);
  std::array<uint8_t, 8> in{};
  ASSERT_EQ(b.init.read(0x100, in.data(), 8), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(in, (std::array<uint8_t, 8>{0xA0, 0x11, 0xA2, 0x11, 0xA4, 0x11, 0xA6, 0x11}));
}

TEST(MemoryTest, ReadByteEnablesLeaveDisabledBytesUntouched) {
  Bench b(fast_params());
  ASSERT_EQ(b.init.write32(0x200, 0x44332211), tlm::TLM_OK_RESPONSE);
  std::array<uint8_t, 4> buf = {0xEE, 0xEE, 0xEE, 0xEE};
  std::array<uint8_t, 3> be = {0x00, 0xFF, 0xFF};  // byte 3 uses be[0] again: disabled
  tlm::tlm_generic_payload p;
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_address(0x200);
  p.set_data_ptr(buf.data());
  p.set_data_length(4);
  p.set_streaming_width(4);
  p.set_byte_enable_ptr(be.data());
  p.set_byte_enable_length(3);
  ASSERT_EQ(b.init.transport(p), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(buf, (std::array<uint8_t, 4>{0xEE, 0x22, 0x33, 0xEE}));
}

TEST(MemoryTest, ErrorStatusesAndNoSideEffects) {
  Bench b(fast_params());
  const uint64_t end = (1 << 20) - 1;  // last valid byte
  EXPECT_EQ(b.init.write32(end + 1, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.init.write32(end + 4, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.init.write32(end - 2, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE);           // crosses the end
  EXPECT_EQ(b.init.write32(~uint64_t{0} - 1, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // no wrap-around
  uint32_t v = 0;
  EXPECT_EQ(b.init.read32(end - 1, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);

  uint8_t buf[8] = {};
  tlm::tlm_generic_payload p;
  p.set_address(0);
  p.set_data_ptr(buf);
  p.set_data_length(8);
  p.set_streaming_width(8);

  // (An out-of-range tlm_command cannot be built without undefined behaviour, which UBSan rejects: the
  // memory's default branch for unknown commands is not exercised here.)
  p.set_command(tlm::TLM_WRITE_COMMAND);
  p.set_streaming_width(4);  // a streaming burst: unsupported by a memory
  EXPECT_EQ(b.init.transport(p), tlm::TLM_BURST_ERROR_RESPONSE);
  p.set_streaming_width(8);

  p.set_data_length(0);
  EXPECT_EQ(b.init.transport(p), tlm::TLM_GENERIC_ERROR_RESPONSE);
  p.set_data_length(8);

  uint8_t be = 0xFF;
  p.set_byte_enable_ptr(&be);
  p.set_byte_enable_length(0);
  EXPECT_EQ(b.init.transport(p), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  p.set_byte_enable_ptr(nullptr);

  // None of the failed accesses took time, moved data or counted.
  const TrafficStats t = b.mem.traffic();
  EXPECT_EQ(t.reads + t.writes, 0u);
  EXPECT_EQ(t.busy, sc_core::SC_ZERO_TIME);
  EXPECT_EQ(b.mem.allocated_pages(), 0u);

  // Ignore command: OK, no data moved, occupies only the access latency.
  p.set_command(tlm::TLM_IGNORE_COMMAND);
  std::memset(buf, 0x5A, sizeof buf);
  EXPECT_EQ(b.init.transport(p), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.init.last_delay(), sc_time(10, SC_NS));
  EXPECT_EQ(buf[0], 0x5A);
  EXPECT_EQ(b.mem.allocated_pages(), 0u);
  p.set_address(end + 1);
  EXPECT_EQ(b.init.transport(p), tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(MemoryTest, SparsePagesCostNothingUntilWritten) {
  MemoryParams params = fast_params();
  params.size = uint64_t{4} << 30;  // 4 GiB
  Bench b(params);
  EXPECT_EQ(b.mem.allocated_pages(), 0u);
  std::array<uint8_t, 16> buf;
  buf.fill(0xEE);
  ASSERT_EQ(b.init.read(params.size - 16, buf.data(), 16), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(buf, (std::array<uint8_t, 16>{}));
  EXPECT_EQ(b.mem.allocated_pages(), 0u);  // reads never allocate

  const uint64_t high = uint64_t{3} << 30;
  ASSERT_EQ(b.init.write32(high, 0xCAFEF00D), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.mem.allocated_pages(), 1u);
  uint32_t v = 0;
  ASSERT_EQ(b.init.read32(high, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0xCAFEF00Du);
  // The rest of the freshly allocated page reads as zero.
  ASSERT_EQ(b.init.read32(high + 4, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0u);
  // A write straddling two untouched pages allocates both.
  ASSERT_EQ(b.init.write32(Memory::kPageSize * 10 - 2, 0x12345678), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.mem.allocated_pages(), 3u);
  ASSERT_EQ(b.init.read32(Memory::kPageSize * 10 - 2, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0x12345678u);
}

TEST(MemoryTest, DebugTransportIsUntimedAndUncounted) {
  Bench b(fast_params());
  const std::array<uint8_t, 6> out = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(b.init.debug_write(0x1000, out.data(), 6), 6u);
  std::array<uint8_t, 6> in{};
  EXPECT_EQ(b.init.debug_read(0x1000, in.data(), 6), 6u);
  EXPECT_EQ(in, out);
  EXPECT_EQ(b.init.debug_read((1 << 20), in.data(), 4), 0u);      // out of range
  EXPECT_EQ(b.init.debug_read((1 << 20) - 2, in.data(), 4), 0u);  // crosses the end
  EXPECT_EQ(b.init.debug_write((1 << 20) - 2, out.data(), 4), 0u);

  const TrafficStats t = b.mem.traffic();
  EXPECT_EQ(t.reads + t.writes + t.read_bytes + t.write_bytes, 0u);
  EXPECT_EQ(t.busy, sc_core::SC_ZERO_TIME);
  // Debug accesses did not occupy the DRAM: a timed access sees only its own latency.
  uint32_t v = 0;
  ASSERT_EQ(b.init.read32(0x1000, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.init.last_delay(), sc_time(11, SC_NS));
  EXPECT_EQ(v, 0x04030201u);  // the timed path sees what debug wrote
}

TEST(MemoryTest, DelayIsLatencyPlusBeats) {
  Bench b(fast_params());
  uint8_t buf[64] = {};
  ASSERT_EQ(b.init.write(0, buf, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.init.last_delay(), sc_time(11, SC_NS));  // 10 + ceil(4/8)
  sc_core::sc_start(100, SC_NS);                       // DRAM idle again
  ASSERT_EQ(b.init.read(0, buf, 64), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.init.last_delay(), sc_time(18, SC_NS));  // 10 + 64/8
  sc_core::sc_start(100, SC_NS);
  ASSERT_EQ(b.init.read(0, buf, 9), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.init.last_delay(), sc_time(12, SC_NS));  // 10 + ceil(9/8)
  EXPECT_EQ(b.mem.wait_time(), sc_core::SC_ZERO_TIME);
}

TEST(MemoryTest, DefaultClockNonIntegerPeriod) {
  MemoryParams p;  // 800 MHz: 1.25 ns per cycle
  Bench b(p);
  uint8_t buf[32] = {};
  ASSERT_EQ(b.init.write(0, buf, 32), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.init.last_delay(), sc_time(17.5, SC_NS));  // (10 + 4) * 1.25
}

TEST(MemoryTest, BackToBackAccessesContendForTheDataBusOnly) {
  Bench b(fast_params());
  uint8_t buf[64] = {};
  sc_core::sc_start(50, SC_NS);  // contention must be measured relative to the current time
  // Alone: 10 cycles of latency, then 8 beats on the data bus [60, 68).
  ASSERT_EQ(b.init.write(0, buf, 64), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.init.last_delay(), sc_time(18, SC_NS));
  // Issued at the same time: its latency overlaps the first transfer's beats (ready at 60), its 2 beats
  // wait for the data bus until 68: [68, 70).
  ASSERT_EQ(b.init.read(0, buf, 16), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.init.last_delay(), sc_time(20, SC_NS));
  // An initiator that annotates a delay past the free time is not delayed further: ready at 50 + 40 + 10.
  tlm::tlm_generic_payload p;
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_address(0);
  p.set_data_ptr(buf);
  p.set_data_length(8);
  p.set_streaming_width(8);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay(40, SC_NS);
  b.mem.socket.get_base_export()->b_transport(p, delay);
  ASSERT_EQ(p.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(delay, sc_time(40 + 11, SC_NS));

  const TrafficStats t = b.mem.traffic();
  EXPECT_EQ(t.busy, sc_time(8 + 2 + 1, SC_NS));  // data bus occupancy: beats only
  EXPECT_EQ(t.writes, 1u);
  EXPECT_EQ(t.reads, 2u);
  EXPECT_EQ(t.write_bytes, 64u);
  EXPECT_EQ(t.read_bytes, 24u);
  EXPECT_EQ(b.mem.wait_time(), sc_time(8, SC_NS));  // the second access waited from 60 to 68
  const nlohmann::json j = b.mem.stats_json();
  EXPECT_DOUBLE_EQ(j.at("wait_ns").get<double>(), 8.0);
  EXPECT_DOUBLE_EQ(j.at("busy_ns").get<double>(), 11.0);
  EXPECT_DOUBLE_EQ(j.at("peak_bandwidth_gbps").get<double>(), 8.0);
  EXPECT_EQ(j.at("read_bytes").get<uint64_t>(), 24u);
}

TEST(MemoryTest, RequestsInFlightSaturateTheDataBus) {
  // Sixteen 64-byte reads issued at once: one latency (10 ns), then 8 ns of beats each, back to back.
  Bench b(fast_params());
  uint8_t buf[64] = {};
  for (unsigned i = 0; i < 16; ++i) {
    ASSERT_EQ(b.init.read(64 * i, buf, 64), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(b.init.last_delay(), sc_time(10 + 8 * (i + 1), SC_NS)) << i;
  }
  // The data bus was busy from 10 ns to 138 ns without a gap: 1024 bytes in 128 ns = 8 bytes per ns, the
  // peak of 1 GHz x 8 bytes and never more.
  EXPECT_EQ(b.mem.traffic().busy, sc_time(128, SC_NS));
  EXPECT_EQ(b.mem.traffic().read_bytes, 1024u);
}

TEST(MemoryTest, FromYamlReadsValuesAndDefaults) {
  const auto m = config::YamlMap::load_string("size: 0x40000000\nbase: 0x80000000\n", "dram.yaml");
  const MemoryParams p = MemoryParams::from_yaml(m);
  EXPECT_EQ(p.size, uint64_t{1} << 30);
  EXPECT_DOUBLE_EQ(p.clock_mhz, 800);
  EXPECT_EQ(p.latency_cycles, 10u);
  EXPECT_EQ(p.bytes_per_cycle, 8u);
  EXPECT_DOUBLE_EQ(p.peak_bandwidth_bytes_per_s(), 6.4e9);
  // from_yaml did not call finish(): the caller still owns 'base' and finish() now reports it.
  EXPECT_THAT(config_error([&] { m.finish(); }), HasSubstr("unknown key 'base'"));
  m.u64("base", 0, ~uint64_t{0});
  EXPECT_NO_THROW(m.finish());

  const auto full = config::YamlMap::load_string(
      "size: 4096\nclock_mhz: 1600\nlatency_cycles: 0\nbytes_per_cycle: 64\n", "full.yaml");
  const MemoryParams q = MemoryParams::from_yaml(full);
  EXPECT_NO_THROW(full.finish());  // every key was read
  EXPECT_EQ(q.size, 4096u);
  EXPECT_DOUBLE_EQ(q.clock_mhz, 1600);
  EXPECT_EQ(q.latency_cycles, 0u);
  EXPECT_EQ(q.bytes_per_cycle, 64u);
  const nlohmann::json j = q.to_json();
  EXPECT_EQ(j.at("size").get<uint64_t>(), 4096u);
  EXPECT_EQ(j.at("bytes_per_cycle").get<unsigned>(), 64u);
  EXPECT_DOUBLE_EQ(j.at("clock_mhz").get<double>(), 1600);
  EXPECT_EQ(j.at("latency_cycles").get<unsigned>(), 0u);
}

TEST(MemoryTest, FromYamlRejectsBadValuesNamingTheKey) {
  const auto parse = [](const std::string& text) {
    return config_error([&] { MemoryParams::from_yaml(config::YamlMap::load_string(text, "m.yaml")); });
  };
  EXPECT_THAT(parse("clock_mhz: 100\n"), HasSubstr("key 'size': missing required key"));
  EXPECT_THAT(parse("size: 4095\n"), HasSubstr("key 'size': value 4095 is out of range"));
  EXPECT_THAT(parse("size: 0x100000001\n"), HasSubstr("key 'size'"));
  EXPECT_THAT(parse("size: 4096\nclock_mhz: 0\n"), HasSubstr("m.yaml:2:12: error: key 'clock_mhz'"));
  EXPECT_THAT(parse("size: 4096\nclock_mhz: 10001\n"),
              HasSubstr("key 'clock_mhz': value 10001 is out of range"));
  EXPECT_THAT(parse("size: 4096\nlatency_cycles: 1001\n"), HasSubstr("key 'latency_cycles'"));
  EXPECT_THAT(parse("size: 4096\nbytes_per_cycle: 0\n"), HasSubstr("key 'bytes_per_cycle'"));
  EXPECT_THAT(parse("size: 4096\nbytes_per_cycle: 1024\n"), HasSubstr("key 'bytes_per_cycle'"));
  EXPECT_THAT(parse("size: 4096\nbytes_per_cycle: 24\n"),
              HasSubstr("m.yaml:2:18: error: key 'bytes_per_cycle': value 24 is not a power of two"));
  EXPECT_THAT(parse("size: big\n"), HasSubstr("key 'size': expected a non-negative integer"));
}

TEST(MemoryTest, InvalidParamsAreReportedWithModuleName) {
  MemoryParams p = fast_params();
  p.bytes_per_cycle = 3;
  try {
    Memory mem("bad_dram", p);
    FAIL() << "no error reported";
  } catch (const sc_core::sc_report& r) {
    EXPECT_THAT(r.get_msg_type(), HasSubstr("bad_dram"));
    EXPECT_THAT(r.get_msg(), HasSubstr("bytes_per_cycle 3"));
  }
}

}  // namespace
}  // namespace minconv::platform
