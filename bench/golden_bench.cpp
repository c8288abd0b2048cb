// Host speed of the golden int8 model (Google Benchmark): ns per MAC of conv2d_acc for each PE kind on a
// LeNet-5-like and a Tiny-YOLOv2-like layer. The min-selector path should cost what the multiply path costs.
#include <benchmark/benchmark.h>

#include <random>

#include "sw/golden/int8_ops.h"

namespace {

using minconv::golden::ConvGeometry;
using minconv::golden::PeKind;
using minconv::golden::Tensor8;

void conv(benchmark::State& state, PeKind kind, int h, int c, int out_c, int k) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> byte(-127, 127);
  Tensor8 in(h, h, c);
  for (auto& v : in.data) v = static_cast<int8_t>(byte(rng));
  std::vector<int8_t> w(static_cast<std::size_t>(out_c) * k * k * c);
  for (auto& v : w) v = static_cast<int8_t>(byte(rng));
  const ConvGeometry g{k, k, 1, 1, k / 2, k / 2, k / 2, k / 2};
  for (auto _ : state) benchmark::DoNotOptimize(minconv::golden::conv2d_acc(kind, in, w, out_c, g));
  const double macs = double(h) * h * out_c * k * k * c;
  state.counters["ns_per_mac"] = benchmark::Counter(
      macs * double(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK_CAPTURE(conv, lenet_conv2_min, PeKind::kMin, 14, 6, 16, 5)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(conv, lenet_conv2_mul, PeKind::kMul, 14, 6, 16, 5)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(conv, yolo_3x3x256_min, PeKind::kMin, 13, 256, 64, 3)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(conv, yolo_3x3x256_mul, PeKind::kMul, 13, 256, 64, 3)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
