// Tests of the router. Each test runs in its own process (SystemC elaborates once per process).
#include "platform/router/router.h"

#include <array>
#include <functional>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tlm_utils/simple_target_socket.h>

#include "platform/memory/memory.h"
#include "tests/common/test_initiator.h"

namespace minconv::platform {
namespace {

using minconv::testing::TestInitiator;
using sc_core::SC_NS;
using sc_core::sc_time;
using ::testing::AllOf;
using ::testing::HasSubstr;

// A target that records the address it was given and answers OK without taking time.
struct RecordingTarget : sc_core::sc_module {
  tlm_utils::simple_target_socket<RecordingTarget> socket;
  uint64_t last_address = ~uint64_t{0};
  unsigned calls = 0;
  explicit RecordingTarget(const sc_core::sc_module_name& n) : sc_core::sc_module(n), socket("socket") {
    socket.register_b_transport(this, &RecordingTarget::b_transport);
    socket.register_transport_dbg(this, &RecordingTarget::transport_dbg);
  }
  void b_transport(tlm::tlm_generic_payload& p, sc_time&) {
    last_address = p.get_address();
    ++calls;
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  unsigned transport_dbg(tlm::tlm_generic_payload& p) {
    last_address = p.get_address();
    ++calls;
    return p.get_data_length();
  }
};

constexpr uint64_t kBaseA = 0x1000'0000;
constexpr uint64_t kBaseB = 0x2000'0000;
constexpr uint64_t kSize = 0x10000;  // 64 KiB each

// 1 GHz everywhere so that one cycle is exactly 1 ns.
RouterParams bus_params() {
  RouterParams p;
  p.clock_mhz = 1000;
  p.latency_cycles = 2;
  p.width_bytes = 16;
  return p;
}
MemoryParams mem_params() {
  MemoryParams p;
  p.size = kSize;
  p.clock_mhz = 1000;
  p.latency_cycles = 10;
  p.bytes_per_cycle = 8;
  return p;
}

// Two test initiators ("cpu", "dma") and two memories ("dram_a", "dram_b") behind one router.
struct Bench {
  TestInitiator cpu;
  TestInitiator dma;
  Router bus;
  Memory a;
  Memory b;
  Bench()
      : cpu("cpu"),
        dma("dma"),
        bus("bus", bus_params()),
        a("dram_a", mem_params()),
        b("dram_b", mem_params()) {
    cpu.socket.bind(bus.target_socket);
    bus.add_initiator("cpu");
    dma.socket.bind(bus.target_socket);
    bus.add_initiator("dma");
    bus.initiator_socket.bind(a.socket);
    bus.add_target({"dram_a", kBaseA, kSize});
    bus.initiator_socket.bind(b.socket);
    bus.add_target({"dram_b", kBaseB, kSize});
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
};

std::string invalid_argument(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no error>";
}

std::string config_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(RouterTest, FindOverlap) {
  using Pair = std::pair<std::size_t, std::size_t>;
  EXPECT_EQ(find_overlap({}), std::nullopt);
  // Adjacent ranges do not overlap (end is inclusive).
  EXPECT_EQ(find_overlap({{"a", 0x0, 0x100}, {"b", 0x100, 0x100}, {"c", 0x1000, 0x10}}), std::nullopt);
  // Partial overlap of the last byte.
  EXPECT_EQ(find_overlap({{"a", 0x0, 0x100}, {"b", 0x200, 0x100}, {"c", 0xFF, 0x10}}), Pair(0, 2));
  // Containment, in either order.
  EXPECT_EQ(find_overlap({{"a", 0x1000, 0x10}, {"b", 0x0, 0x10000}}), Pair(0, 1));
  EXPECT_EQ(find_overlap({{"a", 0x0, 0x10000}, {"b", 0x10, 0x10}}), Pair(0, 1));
  // Zero size is reported as (i, i), even when nothing overlaps it.
  EXPECT_EQ(find_overlap({{"a", 0x0, 0x100}, {"z", 0x1000, 0}}), Pair(1, 1));
  // The earliest offending range is reported first.
  EXPECT_EQ(find_overlap({{"a", 0x0, 0x100}, {"b", 0x80, 0x100}, {"z", 0x1000, 0}}), Pair(0, 1));
  // A range ending at the top of the address space.
  EXPECT_EQ(find_overlap({{"top", ~uint64_t{0} - 0xFF, 0x100}, {"b", ~uint64_t{0}, 1}}), Pair(0, 1));
}

TEST(RouterTest, AddTargetRejectsOverlapZeroSizeAndDuplicates) {
  Router bus("bus_checks", RouterParams{});
  bus.add_target({"dram", 0x8000'0000, 0x1000'0000});
  bus.add_target({"sram", 0x1000, 0x1000});
  EXPECT_THAT(invalid_argument([&] {
                bus.add_target({"csr", 0x8FFF'F000, 0x2000});
              }),
              AllOf(HasSubstr("'csr' [0x8ffff000, 0x90000fff]"), HasSubstr("'dram' [0x80000000, 0x8fffffff]"),
                    HasSubstr("overlaps")));
  EXPECT_THAT(invalid_argument([&] {
                bus.add_target({"empty", 0x4000, 0});
              }),
              AllOf(HasSubstr("'empty'"), HasSubstr("zero size")));
  EXPECT_THAT(invalid_argument([&] {
                bus.add_target({"sram", 0x10000, 0x10});
              }),
              HasSubstr("'sram' added twice"));
  EXPECT_THAT(invalid_argument([&] {
                bus.add_target({"wrap", ~uint64_t{0} - 0xF, 0x20});
              }),
              HasSubstr("past the end"));
  EXPECT_EQ(bus.targets().size(), 2u);  // rejected ranges were not added
  bus.add_target({"top", ~uint64_t{0} - 0xF, 0x10});
  EXPECT_EQ(bus.targets().back().end(), ~uint64_t{0});
  bus.add_initiator("cpu");
  EXPECT_THAT(invalid_argument([&] { bus.add_initiator("cpu"); }), HasSubstr("'cpu' added twice"));
}

TEST(RouterTest, DecodesAndTranslatesToLocalOffsets) {
  Bench t;
  ASSERT_EQ(t.cpu.write32(kBaseA + 0x40, 0xAAAA0001), tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(t.cpu.write32(kBaseB + 0x40, 0xBBBB0002), tlm::TLM_OK_RESPONSE);
  // Same local offset in two memories: distinct data proves the decode picks the right target.
  uint32_t v = 0;
  ASSERT_EQ(t.dma.read32(kBaseA + 0x40, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0xAAAA0001u);
  ASSERT_EQ(t.dma.read32(kBaseB + 0x40, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0xBBBB0002u);
  EXPECT_EQ(t.a.traffic().write_bytes, 4u);
  EXPECT_EQ(t.b.traffic().write_bytes, 4u);
  // The last word of each memory is reachable; the memories see local addresses (else out of range).
  ASSERT_EQ(t.cpu.write32(kBaseB + kSize - 4, 0x55), tlm::TLM_OK_RESPONSE);
  // Debug transport is translated as well.
  std::array<uint8_t, 4> in{};
  EXPECT_EQ(t.cpu.debug_read(kBaseB + kSize - 4, in.data(), 4), 4u);
  EXPECT_EQ(in[0], 0x55);
  const std::array<uint8_t, 2> out = {0x12, 0x34};
  EXPECT_EQ(t.dma.debug_write(kBaseA + 0x41, out.data(), 2), 2u);
  ASSERT_EQ(t.cpu.read32(kBaseA + 0x40, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0xAA341201u);

  // The initiator gets its payload back with the global address restored.
  tlm::tlm_generic_payload p;
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_address(kBaseB + 0x40);
  p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
  p.set_data_length(4);
  p.set_streaming_width(4);
  ASSERT_EQ(t.cpu.transport(p), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.get_address(), kBaseB + 0x40);
  EXPECT_EQ(t.cpu.debug_read(kBaseA + 0x40, &v, 4), 4u);
}

TEST(RouterTest, TargetSeesExactLocalAddress) {
  TestInitiator init("init");
  Router bus("bus", bus_params());
  RecordingTarget low("low");
  RecordingTarget high("high");
  init.socket.bind(bus.target_socket);
  bus.add_initiator("init");
  bus.initiator_socket.bind(low.socket);
  bus.add_target({"low", 0x0, 0x100});
  bus.initiator_socket.bind(high.socket);
  bus.add_target({"high", 0xF000'0000'0100, 0x1000});  // base not aligned to its size
  sc_core::sc_start(sc_core::SC_ZERO_TIME);

  ASSERT_EQ(init.write32(0xF000'0000'0ABC, 1), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(high.last_address, 0x9BCu);
  EXPECT_EQ(low.calls, 0u);
  ASSERT_EQ(init.write32(0xFC, 1), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(low.last_address, 0xFCu);
  uint32_t v = 0;
  EXPECT_EQ(init.debug_read(0xF000'0000'10FC, &v, 4), 4u);
  EXPECT_EQ(high.last_address, 0xFFCu);
  EXPECT_EQ(high.calls, 2u);
}

TEST(RouterTest, UnmappedAndCrossingAccessesAreNotForwarded) {
  Bench t;
  EXPECT_EQ(t.cpu.write32(0x0, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE);             // below every range
  EXPECT_EQ(t.cpu.write32(kBaseA + kSize, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // the gap after dram_a
  EXPECT_EQ(t.cpu.write32(kBaseA + kSize + 4, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(t.cpu.write32(kBaseA + kSize - 2, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // crosses the end
  uint32_t v = 0;
  EXPECT_EQ(t.dma.read32(kBaseB + kSize - 1, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(t.cpu.last_delay(), sc_core::SC_ZERO_TIME);
  EXPECT_EQ(t.cpu.debug_read(kBaseA + kSize - 2, &v, 4), 0u);
  EXPECT_EQ(t.cpu.debug_read(0x0, &v, 4), 0u);

  EXPECT_EQ(t.bus.unmapped_accesses(), 5u);  // debug accesses are not counted
  EXPECT_EQ(t.a.traffic().writes + t.a.traffic().reads, 0u);
  EXPECT_EQ(t.b.traffic().writes + t.b.traffic().reads, 0u);
  EXPECT_EQ(t.bus.traffic().busy, sc_core::SC_ZERO_TIME);
  EXPECT_EQ(t.bus.stats_json().at("unmapped_accesses").get<uint64_t>(), 5u);
}

TEST(RouterTest, TargetErrorsPassThroughAndAreCounted) {
  Bench t;
  tlm::tlm_generic_payload p;
  uint8_t buf[8] = {};
  p.set_command(tlm::TLM_WRITE_COMMAND);
  p.set_address(kBaseA);
  p.set_data_ptr(buf);
  p.set_data_length(8);
  p.set_streaming_width(4);  // the memory refuses streaming bursts
  EXPECT_EQ(t.cpu.transport(p), tlm::TLM_BURST_ERROR_RESPONSE);
  EXPECT_EQ(p.get_address(), kBaseA);
  EXPECT_EQ(t.bus.traffic().writes, 0u);
  EXPECT_EQ(t.bus.stats_json().at("routes").at("cpu").at("dram_a").at("errors").get<uint64_t>(), 1u);
}

TEST(RouterTest, BusTimingAddsToTargetTimingAndContends) {
  Bench t;
  uint8_t buf[32] = {};
  sc_core::sc_start(100, SC_NS);
  // Alone: bus latency 2, data [+2, +4); DRAM latency 10 from +4, data [+14, +18).
  ASSERT_EQ(t.cpu.write(kBaseA, buf, 32), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(t.cpu.last_delay(), sc_time(18, SC_NS));
  // Same time, other initiator, same DRAM: bus ready at +2, data waits until +4: [+4, +6); DRAM ready at
  // +16, data waits until +18: [+18, +22).
  ASSERT_EQ(t.dma.write(kBaseA + 0x100, buf, 32), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(t.dma.last_delay(), sc_time(22, SC_NS));
  // Same time, other DRAM: contends only for the bus: data [+6, +8), then dram_b alone: +8 + 10 + 4.
  ASSERT_EQ(t.dma.write(kBaseB, buf, 32), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(t.dma.last_delay(), sc_time(22, SC_NS));
  EXPECT_DOUBLE_EQ(t.bus.stats_json().at("wait_ns").get<double>(), 2.0 + 4.0);
  EXPECT_EQ(t.a.wait_time(), sc_time(2, SC_NS));  // ready at +16, data bus free at +18
  EXPECT_EQ(t.b.wait_time(), sc_core::SC_ZERO_TIME);
  // The bus was busy for its own data beats only: 3 x 2 cycles.
  EXPECT_EQ(t.bus.traffic().busy, sc_time(6, SC_NS));
}

TEST(RouterTest, AddressPhasesOverlapDataBeatsGoOneAtATime) {
  // A target that takes no time: only the bus's timing shows. Eight 32-byte writes issued at once: one
  // address phase (2 cycles), then 2 data cycles each, back to back.
  TestInitiator init("init");
  Router bus("bus", bus_params());
  RecordingTarget sink("sink");
  init.socket.bind(bus.target_socket);
  bus.add_initiator("init");
  bus.initiator_socket.bind(sink.socket);
  bus.add_target({"sink", 0x0, 0x1000});
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const std::array<uint8_t, 32> buf{};
  for (unsigned i = 0; i < 8; ++i) {
    ASSERT_EQ(init.write(32 * i, buf.data(), 32), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(init.last_delay(), sc_time(2 + 2 * (i + 1), SC_NS)) << i;
  }
  EXPECT_EQ(bus.traffic().busy, sc_time(16, SC_NS));  // busy from 2 to 18 without a gap
  // Waiting: transaction i was ready at 2 and started at 2 + 2i.
  EXPECT_DOUBLE_EQ(bus.stats_json().at("wait_ns").get<double>(), 2.0 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7));
}

TEST(RouterTest, PerInitiatorPerTargetStatistics) {
  Bench t;
  std::array<uint8_t, 64> buf{};
  // Busy time of a route is the bus's own data occupancy: ceil(bytes / 16) cycles of 1 ns.
  ASSERT_EQ(t.cpu.write(kBaseA, buf.data(), 8), tlm::TLM_OK_RESPONSE);       // 1 beat
  ASSERT_EQ(t.cpu.write(kBaseA + 8, buf.data(), 16), tlm::TLM_OK_RESPONSE);  // 1 beat
  ASSERT_EQ(t.dma.read(kBaseB, buf.data(), 64), tlm::TLM_OK_RESPONSE);       // 4 beats
  ASSERT_EQ(t.dma.read(kBaseA, buf.data(), 4), tlm::TLM_OK_RESPONSE);        // 1 beat
  uint32_t v = 0;
  EXPECT_EQ(t.dma.read32(0x0, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);

  const TrafficStats cpu_a = t.bus.route_traffic(0, 0);
  EXPECT_EQ(cpu_a.writes, 2u);
  EXPECT_EQ(cpu_a.write_bytes, 24u);
  EXPECT_EQ(cpu_a.reads, 0u);
  EXPECT_EQ(cpu_a.busy, sc_time(2, SC_NS));
  EXPECT_EQ(t.bus.route_traffic(0, 1).reads + t.bus.route_traffic(0, 1).writes, 0u);
  EXPECT_EQ(t.bus.route_traffic(1, 1).read_bytes, 64u);
  EXPECT_EQ(t.bus.route_traffic(1, 1).busy, sc_time(4, SC_NS));
  EXPECT_EQ(t.bus.route_traffic(1, 0).read_bytes, 4u);

  const TrafficStats total = t.bus.traffic();
  EXPECT_EQ(total.reads, 2u);
  EXPECT_EQ(total.writes, 2u);
  EXPECT_EQ(total.read_bytes, 68u);
  EXPECT_EQ(total.write_bytes, 24u);
  EXPECT_EQ(total.busy, sc_time(7, SC_NS));

  const nlohmann::json j = t.bus.stats_json();
  EXPECT_EQ(j.at("routes").at("cpu").at("dram_a").at("write_bytes").get<uint64_t>(), 24u);
  EXPECT_EQ(j.at("routes").at("cpu").at("dram_b").at("writes").get<uint64_t>(), 0u);
  EXPECT_EQ(j.at("routes").at("dma").at("dram_b").at("read_bytes").get<uint64_t>(), 64u);
  EXPECT_EQ(j.at("routes").at("dma").at("dram_a").at("reads").get<uint64_t>(), 1u);
  EXPECT_DOUBLE_EQ(j.at("routes").at("dma").at("dram_b").at("busy_ns").get<double>(), 4.0);
  EXPECT_EQ(j.at("unmapped_accesses").get<uint64_t>(), 1u);
  EXPECT_EQ(j.at("read_bytes").get<uint64_t>(), 68u);
}

TEST(RouterTest, UnnamedBindingIsReportedAtStartOfSimulation) {
  TestInitiator init("init");
  Router bus("bus", bus_params());
  Memory mem("mem", mem_params());
  init.socket.bind(bus.target_socket);
  bus.add_initiator("init");
  bus.initiator_socket.bind(mem.socket);  // no add_target(): the router cannot decode to it
  try {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    FAIL() << "no error reported";
  } catch (const sc_core::sc_report& r) {
    EXPECT_THAT(r.get_msg_type(), HasSubstr("bus"));
    EXPECT_THAT(r.get_msg(), HasSubstr("add_target"));
  }
}

TEST(RouterTest, FromYamlDefaultsValuesAndErrors) {
  const auto empty = config::YamlMap::load_string("name: bus\n", "soc.yaml");
  const RouterParams d = RouterParams::from_yaml(empty);
  EXPECT_DOUBLE_EQ(d.clock_mhz, 500);
  EXPECT_EQ(d.latency_cycles, 2u);
  EXPECT_EQ(d.width_bytes, 32u);
  EXPECT_THAT(config_error([&] { empty.finish(); }), HasSubstr("unknown key 'name'"));  // no finish() inside

  const auto full =
      config::YamlMap::load_string("clock_mhz: 1000\nlatency_cycles: 3\nwidth_bytes: 64\n", "soc.yaml");
  const RouterParams p = RouterParams::from_yaml(full);
  EXPECT_NO_THROW(full.finish());
  EXPECT_DOUBLE_EQ(p.clock_mhz, 1000);
  EXPECT_EQ(p.latency_cycles, 3u);
  EXPECT_EQ(p.width_bytes, 64u);
  const nlohmann::json j = p.to_json();
  EXPECT_EQ(j.at("width_bytes").get<unsigned>(), 64u);
  EXPECT_EQ(j.at("latency_cycles").get<unsigned>(), 3u);
  EXPECT_DOUBLE_EQ(j.at("clock_mhz").get<double>(), 1000);

  const auto parse = [](const std::string& text) {
    return config_error([&] { RouterParams::from_yaml(config::YamlMap::load_string(text, "bus.yaml")); });
  };
  EXPECT_THAT(parse("clock_mhz: 0\n"),
              HasSubstr("bus.yaml:1:12: error: key 'clock_mhz': value 0 is out of range"));
  EXPECT_THAT(parse("latency_cycles: 5000\n"), HasSubstr("key 'latency_cycles': value 5000 is out of range"));
  EXPECT_THAT(parse("width_bytes: 12\n"), HasSubstr("key 'width_bytes': value 12 is not a power of two"));
  EXPECT_THAT(parse("width_bytes: 0\n"), HasSubstr("key 'width_bytes'"));
  EXPECT_THAT(parse("clock_mhz: fast\n"), HasSubstr("key 'clock_mhz': expected a number"));
}

}  // namespace
}  // namespace minconv::platform
