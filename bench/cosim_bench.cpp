// Co-simulation speed: simulated PE-array cycles per host second of the Verilated arrays (8x8, 16x16, min and
// mul) driven through rtl::PeArrayBridge, and the slowdown of the RTL tile engine against the C++ engine on
// the same conv tile. docs/cosim.md.
//
// SystemC elaborates once per process: every bridge, clock and engine is built before sc_start(), and the
// Google Benchmark runner itself runs inside one SC_THREAD (the bridge blocks on clock edges, so the timed
// loops must be in a thread). Times and rates are process CPU time (Google Benchmark's default; the
// simulation is single-threaded), which a shared, loaded host disturbs less than wall-clock time.
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <systemc>

#include "accel/engine/rtl_tile_engine.h"
#include "rtl/bridge/pe_array_bridge.h"

namespace minconv::bench {
namespace {

constexpr unsigned kFoldK = 150;  // a 5x5x6 reduction (LeNet conv2)

std::vector<int8_t> random_int8(std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

// A bridge with its own gated clock (ticks only while a fold runs, so idle arrays cost nothing).
struct ArrayUnderTest {
  ArrayUnderTest(const std::string& name, unsigned n, golden::PeKind kind)
      : clock((name + "_clock").c_str(), sc_core::sc_time(2, sc_core::SC_NS)),
        bridge(name.c_str(), n, n, kind) {
    bridge.clk(clock.signal());
    std::mt19937 rng(n * 31 + (kind == golden::PeKind::kMul ? 1 : 0));
    weights = random_int8(rng, size_t{n} * kFoldK);
    inputs = random_int8(rng, size_t{n} * kFoldK);
  }
  accel::GatedClock clock;
  rtl::PeArrayBridge bridge;
  std::vector<int8_t> weights, inputs;
};

// The fixed workload of the engine comparison: one conv tile, 12x12x6 input, 5x5 kernel, 16 output channels
// (8x8 output pixels): 2 x 8 folds on an 8x8 array, 1 x 4 on a 16x16 array.
accel::TileJob conv_tile(accel::PeKind pe, unsigned n) {
  accel::TileJob job;
  accel::TileDescriptor& d = job.desc;
  d.in_h = d.in_w = 12;
  d.in_c = 6;
  d.kh = d.kw = 5;
  d.stride_h = d.stride_w = 1;
  d.out_h = d.out_w = 8;
  d.out_c = 16;
  job.array = accel::ArrayShape{pe, n, n};
  std::mt19937 rng(7);
  job.input = random_int8(rng, d.input_bytes());
  job.weights = random_int8(rng, d.weight_bytes());
  job.post.assign(d.out_c, regs::accel::PostScale{100, 1 << 20, 24});
  return job;
}

// One RTL tile engine in a module of its own (the engine names its clock and bridge children the same way
// in every parent).
struct EngineHost : sc_core::sc_module {
  EngineHost(const sc_core::sc_module_name& name, const accel::AccelParams& p)
      : sc_core::sc_module(name), engine(this->name(), p, sc_core::sc_time(2, sc_core::SC_NS)) {}
  accel::RtlTileEngine engine;
};

class BenchTop : public sc_core::sc_module {
 public:
  explicit BenchTop(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {
    for (unsigned n : {8u, 16u}) {
      for (golden::PeKind kind : {golden::PeKind::kMin, golden::PeKind::kMul}) {
        const std::string tag = std::string(kind == golden::PeKind::kMin ? "min" : "mul") + "_" +
                                std::to_string(n) + "x" + std::to_string(n);
        arrays.push_back(std::make_unique<ArrayUnderTest>("array_" + tag, n, kind));
        accel::AccelParams p;
        p.rows = p.cols = n;
        p.pe = kind == golden::PeKind::kMin ? accel::PeKind::kMin : accel::PeKind::kMul;
        p.engine = accel::EngineKind::kRtl;
        engines.push_back(std::make_unique<EngineHost>(("engine_" + tag).c_str(), p));
        jobs.push_back(conv_tile(p.pe, n));
        tags.push_back(tag);
      }
    }
    sc_core::sc_spawn_options opt;
    opt.set_stack_size(64 << 20);  // Google Benchmark's runner lives on this coroutine's stack
    sc_core::sc_spawn(
        [] {
          benchmark::RunSpecifiedBenchmarks();
          sc_core::sc_stop();
        },
        "runner", &opt);
  }
  std::vector<std::unique_ptr<ArrayUnderTest>> arrays;
  std::vector<std::unique_ptr<EngineHost>> engines;
  std::vector<accel::TileJob> jobs;
  std::vector<std::string> tags;
};

void register_benchmarks(BenchTop& top) {
  for (size_t i = 0; i < top.arrays.size(); ++i) {
    ArrayUnderTest* a = top.arrays[i].get();
    benchmark::RegisterBenchmark(("BM_RtlFold/" + top.tags[i]).c_str(), [a](benchmark::State& state) {
      uint64_t cycles = 0;
      a->clock.enable();
      for (auto _ : state) {
        const rtl::FoldResult r = a->bridge.run_fold(a->weights, a->inputs, kFoldK);
        cycles += r.cycles;
        benchmark::DoNotOptimize(r.acc.data());
      }
      a->clock.disable();
      state.counters["array_cycles_per_s"] =
          benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
    })->Unit(benchmark::kMicrosecond);
  }
  for (size_t i = 0; i < top.engines.size(); ++i) {
    const accel::TileJob* job = &top.jobs[i];
    accel::RtlTileEngine* rtl = &top.engines[i]->engine;
    benchmark::RegisterBenchmark(("BM_CppTile/" + top.tags[i]).c_str(), [job](benchmark::State& state) {
      accel::CppTileEngine cpp;
      for (auto _ : state) benchmark::DoNotOptimize(cpp.run(*job).output.data());
    })->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_RtlTile/" + top.tags[i]).c_str(), [job, rtl](benchmark::State& state) {
      for (auto _ : state) benchmark::DoNotOptimize(rtl->run(*job).output.data());
      state.counters["mismatches"] = static_cast<double>(rtl->counters().mismatches);
    })->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace
}  // namespace minconv::bench

int sc_main(int argc, char* argv[]) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  minconv::bench::BenchTop top("bench");
  minconv::bench::register_benchmarks(top);
  sc_core::sc_start();
  benchmark::Shutdown();
  return sc_core::sc_report_handler::get_count(sc_core::SC_ERROR) == 0 ? 0 : 1;
}
