// Host speed of the kernels behind every layer of the stack (Google Benchmark), min-selector against
// multiplier on the same layer shapes, in ns per MAC (docs/performance.md). Families:
// - golden_int8/<layer>/<kind>: the golden int8 convolution (golden::conv2d_acc), which checks every image;
// - float/<layer>/<kind>: the float convolution of calibration (minconv2d_float against conv2d_float), on the
//   best path of this CPU;
// - float_avx2/<layer>/<kind>: the same kernel held to its AVX2 path (a CPU without AVX-512);
// - engine_fold/<layer>/<kind>: the C++ tile engine's accumulate step on one 8x8 fold of that layer's K.
// The layers are LeNet-5's and Tiny-YOLOv2's (3x3 convolutions, "same" padding), with ReLU-like and with
// signed activations.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "accel/engine/fold_kernel.h"
#ifndef MINCONV_GOLDEN_BENCH_BASELINE
#include "sw/golden/float_conv.h"
#endif
#include "sw/golden/float_ops.h"
#include "sw/golden/int8_ops.h"

namespace {

using minconv::golden::ConvGeometry;
using minconv::golden::PeKind;

struct Layer {
  const char* name;
  int h, c, out_c, k;  // input h x h x c, out_c filters of k x k, padding k / 2 (h = k = 1: fully connected)
  double macs() const { return double(h) * h * out_c * k * k * c; }
  ConvGeometry geometry() const { return ConvGeometry{k, k, 1, 1, k / 2, k / 2, k / 2, k / 2}; }
};

// LeNet-5's five layers; Tiny-YOLOv2's first layer (3 input channels), its third (the shape of conv2-conv5 at
// 104 x 104), its largest (conv8, 1024 -> 1024 at 13 x 13) and its last (1x1); a deep 3x3 layer with few
// filters.
const Layer kLayers[] = {
    {"lenet_conv1", 28, 1, 6, 5},
    {"lenet_conv2", 14, 6, 16, 5},
    {"lenet_fc1", 1, 400, 120, 1},
    {"lenet_fc2", 1, 120, 84, 1},
    {"lenet_fc3", 1, 84, 10, 1},
    {"yolo_conv1_416x416x3", 416, 3, 16, 3},
    {"yolo_conv3_104x104x32", 104, 32, 64, 3},
    {"yolo_3x3x256", 13, 256, 64, 3},
    {"yolo_conv8_13x13x1024", 13, 1024, 1024, 3},
    {"yolo_conv9_1x1x1024", 13, 1024, 125, 1},
};

const char* kind_name(PeKind k) { return k == PeKind::kMin ? "min" : "mul"; }

void set_rate(benchmark::State& state, double macs) {
  state.counters["ns_per_mac"] = benchmark::Counter(
      macs * double(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Activations: ReLU outputs (half zeros, the rest positive), as every layer of the networks here sees (the
// first one sees an image, also >= 0); or signed values (the general case). Weights are always signed.
enum class Inputs { kRelu, kSigned };

template <typename T>
std::vector<T> random_values(std::size_t n, unsigned seed, Inputs inputs = Inputs::kSigned) {
  std::mt19937 rng(seed);
  std::vector<T> v(n);
  for (auto& x : v) {
    if constexpr (std::is_same_v<T, float>) {
      x = std::normal_distribution<float>(0.0f, 1.0f)(rng);
    } else {
      x = static_cast<T>(std::uniform_int_distribution<int>(-127, 127)(rng));
    }
    if (inputs == Inputs::kRelu) x = std::max(x, T{0});
  }
  return v;
}

void golden_int8(benchmark::State& state, Layer l, PeKind kind, Inputs inputs) {
  minconv::golden::Tensor8 in(l.h, l.h, l.c);
  in.data = random_values<int8_t>(in.size(), 1, inputs);
  const std::vector<int8_t> w = random_values<int8_t>(std::size_t(l.out_c) * l.k * l.k * l.c, 2);
  for (auto _ : state)
    benchmark::DoNotOptimize(minconv::golden::conv2d_acc(kind, in, w, l.out_c, l.geometry()));
  set_rate(state, l.macs());
}

// The float convolution of calibration on a layer, prepared once (as calibration applies each layer to the
// whole calibration set). avx2: the kernel held to its AVX2 path (what a CPU without AVX-512 runs; the
// standard convolution has no other path); not when built against older sources (scripts/bench_golden_at.sh),
// which cannot choose.
void float_layer(benchmark::State& state, Layer l, PeKind kind, Inputs inputs, bool avx2) {
  minconv::golden::TensorF in(l.h, l.h, l.c);
  in.data = random_values<float>(in.size(), 3, inputs);
  std::vector<float> w(std::size_t(l.out_c) * l.k * l.k * l.c);
  std::mt19937 rng(4);
  std::normal_distribution<float> d(0.0f, 0.1f);
  for (auto& x : w) x = d(rng);
  const std::vector<float> bias(l.out_c, 0.0f);
  const double mu_x = minconv::golden::mean_abs(in);
  using minconv::golden::FloatConvOp;
  const FloatConvOp op = kind == PeKind::kMin ? FloatConvOp::minconv(w, bias, l.out_c, l.geometry(), mu_x)
                                              : FloatConvOp::standard(w, bias, l.out_c, l.geometry());
#ifdef MINCONV_GOLDEN_BENCH_BASELINE
  (void)avx2;
  for (auto _ : state) benchmark::DoNotOptimize(op(in));
#else
  using Isa = minconv::golden::detail::FloatConvKernel::Isa;
  const Isa isa = avx2 ? Isa::kAvx2 : Isa::kBest;
  for (auto _ : state) benchmark::DoNotOptimize(op(in, 1, isa));
#endif
  set_rate(state, l.macs());
}

void float_conv(benchmark::State& state, Layer l, PeKind kind, Inputs inputs) {
  float_layer(state, l, kind, inputs, false);
}

#ifndef MINCONV_GOLDEN_BENCH_BASELINE
void float_conv_avx2(benchmark::State& state, Layer l, PeKind kind, Inputs inputs) {
  float_layer(state, l, kind, inputs, true);
}
#endif

void engine_fold(benchmark::State& state, Layer l, PeKind kind, Inputs inputs) {
  const std::size_t K = std::size_t(l.k) * l.k * l.c;
  const unsigned R = 8, C = 8;
  const std::vector<int8_t> w = random_values<int8_t>(R * K, 5), x = random_values<int8_t>(C * K, 6, inputs);
  std::vector<int32_t> acc(R * C);
  minconv::accel::FoldScratch scratch;
  for (auto _ : state) {
    minconv::accel::accumulate_fold(kind, w.data(), R, x.data(), C, K, acc.data(), scratch);
    benchmark::DoNotOptimize(acc.data());
  }
  set_rate(state, double(R) * C * K);
}

}  // namespace

int main(int argc, char** argv) {
  for (const Inputs inputs : {Inputs::kRelu, Inputs::kSigned}) {
    for (const Layer& l : kLayers) {
      for (const PeKind kind : {PeKind::kMin, PeKind::kMul}) {
        const std::string suffix = std::string("/") + l.name + "/" + kind_name(kind) +
                                   (inputs == Inputs::kRelu ? "/relu_inputs" : "/signed_inputs");
        benchmark::RegisterBenchmark(("golden_int8" + suffix).c_str(), golden_int8, l, kind, inputs)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(("float" + suffix).c_str(), float_conv, l, kind, inputs)
            ->Unit(benchmark::kMicrosecond);
#ifndef MINCONV_GOLDEN_BENCH_BASELINE
        benchmark::RegisterBenchmark(("float_avx2" + suffix).c_str(), float_conv_avx2, l, kind, inputs)
            ->Unit(benchmark::kMicrosecond);
#endif
        benchmark::RegisterBenchmark(("engine_fold" + suffix).c_str(), engine_fold, l, kind, inputs)
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
