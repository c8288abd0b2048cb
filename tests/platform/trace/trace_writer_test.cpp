// The trace library on its own: time formatting, counter windows, the streaming writer's JSON (parsed back
// with nlohmann), the slice limit, time origins, and reading a trace back for drawing.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "platform/trace/process_trace.h"
#include "platform/trace/timeline.h"
#include "platform/trace/trace_writer.h"
#include "platform/trace/window_counter.h"

namespace minconv::platform::trace {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::vector<nlohmann::json> events(const nlohmann::json& trace, const std::string& ph) {
  std::vector<nlohmann::json> v;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == ph) v.push_back(e);
  return v;
}

TEST(TraceFormat, MicrosecondsAreExactDecimals) {
  EXPECT_EQ(us_text(0), "0");
  EXPECT_EQ(us_text(1), "0.000001");
  EXPECT_EQ(us_text(1500000), "1.5");
  EXPECT_EQ(us_text(12345678), "12.345678");
  EXPECT_EQ(to_ps(sc_time(2, SC_NS)), 2000u);
}

TEST(TraceFormat, DetailNamesRoundTrip) {
  for (Detail d : {Detail::kLayers, Detail::kTiles, Detail::kFolds}) EXPECT_EQ(parse_detail(to_string(d)), d);
  EXPECT_FALSE(parse_detail("tile").has_value());
  EXPECT_FALSE(parse_detail("").has_value());
}

TEST(WindowCounter, SplitsAnIntervalOverWindowsInProportion) {
  WindowCounter c(10, 100);
  c.add(5, 35, 300, 60);  // 30 ps: 5 in window 0, 10 in 1 and 2, 5 in 3
  ASSERT_EQ(c.windows().size(), 4u);
  const uint64_t busy[] = {5, 10, 10, 5};
  double read = 0, write = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(c.windows()[i].busy_ps, busy[i]) << i;
    EXPECT_DOUBLE_EQ(c.windows()[i].read_bytes, 300.0 * busy[i] / 30) << i;
    read += c.windows()[i].read_bytes;
    write += c.windows()[i].write_bytes;
  }
  EXPECT_DOUBLE_EQ(read, 300);
  EXPECT_DOUBLE_EQ(write, 60);
  c.add(12, 12, 7, 0);  // an empty interval: its bytes go to its window, no busy time
  EXPECT_DOUBLE_EQ(c.windows()[1].read_bytes, 100.0 + 7);
  EXPECT_EQ(c.windows()[1].busy_ps, 10u);
}

TEST(WindowCounter, MergesWindowsInsteadOfGrowingPastTheLimit) {
  WindowCounter c(10, 4);
  c.add(0, 10, 10, 0);
  c.add(75, 85, 0, 10);  // window 8 of 10 ps does not fit 4 windows: 20 ps still not, 40 ps does
  EXPECT_EQ(c.width_ps(), 40u);
  ASSERT_EQ(c.windows().size(), 3u);
  EXPECT_EQ(c.windows()[0].busy_ps, 10u);
  EXPECT_EQ(c.windows()[1].busy_ps, 5u);
  EXPECT_EQ(c.windows()[2].busy_ps, 5u);
  uint64_t busy = 0;
  for (const auto& w : c.windows()) busy += w.busy_ps;
  EXPECT_EQ(busy, 20u);
}

class TraceWriterTest : public ::testing::Test {
 protected:
  // One file per test: ctest runs tests in parallel processes.
  std::string path_ = ::testing::TempDir() + "/trace_writer_" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
};

TEST_F(TraceWriterTest, WritesNamedTracksNestedSlicesAndCounters) {
  TraceOptions o;
  o.window = sc_time(1, SC_US);
  {
    TraceWriter w(path_, o);
    ProcessTrace& p = w.add_process("soc \"a\"");
    const TrackId cpu = p.track("cpu");
    const TrackId dma = p.track("dma ch0");
    EXPECT_EQ(p.track("cpu"), cpu);  // declaring a track twice gives the same track
    const CounterId dram = p.counter_track("dram", true);
    p.begin(cpu, "conv1", sc_time(100, SC_NS));
    p.begin(cpu, "wait", sc_time(200, SC_NS));
    p.end(cpu, sc_time(300, SC_NS));
    p.end(cpu, sc_time(1500, SC_NS), {{"k", 1}});
    p.end(cpu, sc_time(1600, SC_NS));  // nothing open: ignored
    p.complete(dma, "job", sc_time(250, SC_NS), sc_time(750, SC_NS), {{"bytes", 64}});
    p.counter(dram, sc_time(500, SC_NS), sc_time(1500, SC_NS), 1000, 0);
    EXPECT_TRUE(w.close());
    EXPECT_EQ(w.slices_written(), 3u);
  }
  const nlohmann::json t = read_json(path_);
  EXPECT_EQ(t["displayTimeUnit"], "ns");
  std::map<std::string, int64_t> tids;
  for (const auto& m : events(t, "M"))
    if (m["name"] == "thread_name") tids[m["args"]["name"]] = m["tid"];
  ASSERT_EQ(tids.size(), 2u);
  const auto x = events(t, "X");
  ASSERT_EQ(x.size(), 3u);
  EXPECT_EQ(x[0]["name"], "wait");
  EXPECT_DOUBLE_EQ(x[0]["ts"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(x[0]["dur"].get<double>(), 0.1);
  EXPECT_EQ(x[1]["name"], "conv1");
  EXPECT_DOUBLE_EQ(x[1]["dur"].get<double>(), 1.4);
  EXPECT_EQ(x[1]["args"]["k"], 1);
  EXPECT_EQ(x[1]["tid"], tids["cpu"]);
  EXPECT_EQ(x[2]["tid"], tids["dma ch0"]);
  EXPECT_EQ(x[2]["args"]["bytes"], 64);
  // The counter: 0.5 us busy in window 0 and in window 1, 500 bytes in each (0.5 GB/s), then zeros.
  const auto c = events(t, "C");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_DOUBLE_EQ(c[0]["args"]["busy %"].get<double>(), 50);
  EXPECT_DOUBLE_EQ(c[0]["args"]["read GB/s"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(c[1]["ts"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(c[1]["args"]["busy %"].get<double>(), 0);
}

TEST_F(TraceWriterTest, TheSliceLimitLeavesLaterSlicesOutAndSaysSo) {
  TraceOptions o;
  o.max_slices = 3;
  {
    TraceWriter w(path_, o);
    ProcessTrace& p = w.add_process("soc");
    const TrackId t = p.track("accel");
    for (int i = 0; i < 5; ++i) p.complete(t, "tile", sc_time(i, SC_US), sc_time(i + 1, SC_US));
    EXPECT_TRUE(w.close());
    EXPECT_EQ(w.slices_dropped(), 2u);
  }
  const nlohmann::json t = read_json(path_);
  EXPECT_EQ(events(t, "X").size(), 3u);
  EXPECT_EQ(t["otherData"]["slices_left_out"], 2);
}

TEST_F(TraceWriterTest, TimesCountFromTheProcessOrigin) {
  {
    TraceWriter w(path_, TraceOptions{});
    ProcessTrace& p = w.add_process("soc");
    p.set_origin(sc_time(10, SC_US));
    const TrackId t = p.track("cpu");
    p.complete(t, "a", sc_time(12, SC_US), sc_time(13, SC_US));
    p.complete(t, "before", sc_time(9, SC_US), sc_time(11, SC_US));  // shown from 0
    w.close();
  }
  const auto x = events(read_json(path_), "X");
  ASSERT_EQ(x.size(), 2u);
  EXPECT_DOUBLE_EQ(x[0]["ts"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(x[1]["ts"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(x[1]["dur"].get<double>(), 1);
}

TEST_F(TraceWriterTest, ATraceReadsBackAsATimelineWithDepths) {
  {
    TraceWriter w(path_, TraceOptions{});
    ProcessTrace& p = w.add_process("soc_min");
    const TrackId cpu = p.track("cpu");
    const CounterId bus = p.counter_track("bus", false);
    p.begin(cpu, "image 0", sc_time(0, SC_US));
    p.begin(cpu, "conv1", sc_time(0, SC_US));
    p.complete(cpu, "wfi", sc_time(1, SC_US), sc_time(2, SC_US));
    p.end(cpu, sc_time(3, SC_US));
    p.end(cpu, sc_time(3, SC_US));
    p.counter(bus, sc_time(0, SC_US), sc_time(1, SC_US));
    w.close();
  }
  std::ifstream in(path_);
  const Timeline t = Timeline::read(in);
  ASSERT_EQ(t.processes.size(), 1u);
  const TimelineProcess& p = t.processes.begin()->second;
  EXPECT_EQ(p.name, "soc_min");
  ASSERT_EQ(p.tracks.size(), 1u);
  const TimelineTrack& cpu = p.tracks.begin()->second;
  EXPECT_EQ(cpu.name, "cpu");
  ASSERT_EQ(cpu.slices.size(), 3u);
  EXPECT_EQ(cpu.slices[0].name, "image 0");  // same start and length: the enclosing one comes first
  EXPECT_EQ(cpu.slices[0].depth, 0);
  EXPECT_EQ(cpu.slices[2].name, "wfi");
  EXPECT_EQ(cpu.slices[2].depth, 2);
  ASSERT_EQ(p.counters.count("bus busy %"), 1u);
  EXPECT_EQ(t.span(), std::make_pair(0.0, 3.0));
}

TEST_F(TraceWriterTest, AnEnclosingSliceOfTheSameStartIsWrittenBeforeWhatItEncloses) {
  {
    TraceWriter w(path_, TraceOptions{});
    ProcessTrace& p = w.add_process("soc");
    const TrackId t = p.track("cpu");
    p.begin(t, "outer", sc_time(1, SC_US));
    p.begin(t, "middle", sc_time(1, SC_US));
    p.complete(t, "inner", sc_time(1, SC_US), sc_time(2, SC_US));
    p.complete(t, "later", sc_time(2, SC_US), sc_time(3, SC_US));
    p.end(t, sc_time(3, SC_US));
    p.end(t, sc_time(3, SC_US));
    w.close();
  }
  std::vector<std::string> order;
  for (const auto& e : events(read_json(path_), "X")) order.push_back(e["name"]);
  EXPECT_EQ(order, (std::vector<std::string>{"later", "outer", "middle", "inner"}));
}

TEST(Timeline, ReadsBareArraysWithBeginEndPairs) {
  std::istringstream in(R"([{"ph":"B","pid":1,"tid":2,"ts":1,"name":"a"},
                            {"ph":"E","pid":1,"tid":2,"ts":4},
                            {"ph":"C","pid":1,"ts":0,"name":"q","args":{"v":3}}])");
  const Timeline t = Timeline::read(in);
  const TimelineTrack& track = t.processes.at(1).tracks.at(2);
  ASSERT_EQ(track.slices.size(), 1u);
  EXPECT_DOUBLE_EQ(track.slices[0].dur_us, 3);
  EXPECT_EQ(t.processes.at(1).counters.at("q v").samples.size(), 1u);
  std::istringstream bad("{\"traceEvents\": [");
  EXPECT_THROW(Timeline::read(bad), std::runtime_error);
}

}  // namespace
}  // namespace minconv::platform::trace
