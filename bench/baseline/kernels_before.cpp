// The kernels before issue 9's speed work (docs/performance.md "before" columns), on the layer shapes and
// inputs of bench/golden_bench.cpp: the golden conv2d_acc, conv2d_float and minconv2d_float of an older
// revision's sw/golden (compiled against that revision's headers by scripts/bench_baseline.sh), and a
// verbatim copy of the C++ engine's accumulate loop of f391a70 (pe_step per step). Not part of the build.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "sw/golden/float_ops.h"

using minconv::golden::ConvGeometry;
using minconv::golden::PeKind;

namespace {

struct Layer {
  const char* name;
  int h, c, out_c, k;
  double macs() const { return double(h) * h * out_c * k * k * c; }
  ConvGeometry geometry() const { return ConvGeometry{k, k, 1, 1, k / 2, k / 2, k / 2, k / 2}; }
};
const Layer kLayers[] = {{"lenet_conv1", 28, 1, 6, 5},
                         {"lenet_conv2", 14, 6, 16, 5},
                         {"lenet_fc1", 1, 400, 120, 1},
                         {"yolo_conv3_104x104x32", 104, 32, 64, 3},
                         {"yolo_3x3x256", 13, 256, 64, 3}};

enum class Inputs { kRelu, kSigned };
template <typename T>
std::vector<T> random_values(std::size_t n, unsigned seed, Inputs inputs = Inputs::kSigned) {
  std::mt19937 rng(seed);
  std::vector<T> v(n);
  for (auto& x : v) {
    if constexpr (std::is_same_v<T, float>)
      x = std::normal_distribution<float>(0.0f, 1.0f)(rng);
    else
      x = static_cast<T>(std::uniform_int_distribution<int>(-127, 127)(rng));
    if (inputs == Inputs::kRelu) x = std::max(x, T{0});
  }
  return v;
}

void set_rate(benchmark::State& state, double macs) {
  state.counters["ns_per_mac"] = benchmark::Counter(
      macs * double(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Verbatim from accel/engine/tile_engine.cpp at f391a70.
int32_t pe_step(PeKind pe, int8_t a, int8_t b) {
  if (pe == PeKind::kMul) return int32_t{a} * int32_t{b};
  if (a == 0 || b == 0) return 0;
  const int32_t mag = std::min(a < 0 ? -int32_t{a} : int32_t{a}, b < 0 ? -int32_t{b} : int32_t{b});
  return (a < 0) != (b < 0) ? -mag : mag;
}

__attribute__((noinline)) std::vector<int32_t> accumulate(PeKind pe, unsigned R, unsigned C,
                                                          const std::vector<int8_t>& weights,
                                                          const std::vector<int8_t>& inputs, uint64_t K) {
  std::vector<uint32_t> acc(size_t{R} * C, 0u);
  for (unsigned r = 0; r < R; ++r) {
    const int8_t* w = &weights[size_t{r} * K];
    for (unsigned c = 0; c < C; ++c) {
      const int8_t* x = &inputs[size_t{c} * K];
      uint32_t sum = 0;
      for (uint64_t k = 0; k < K; ++k) sum += static_cast<uint32_t>(pe_step(pe, x[k], w[k]));
      acc[size_t{r} * C + c] = sum;
    }
  }
  return std::vector<int32_t>(acc.begin(), acc.end());
}

void float_conv(benchmark::State& state, Layer l, PeKind kind, Inputs inputs) {
  minconv::golden::TensorF in(l.h, l.h, l.c);
  in.data = random_values<float>(in.size(), 3, inputs);
  std::vector<float> w(std::size_t(l.out_c) * l.k * l.k * l.c);
  std::mt19937 rng(4);
  std::normal_distribution<float> d(0.0f, 0.1f);
  for (auto& x : w) x = d(rng);
  const std::vector<float> bias(l.out_c, 0.0f);
  const double mu_x = minconv::golden::mean_abs(in);
  for (auto _ : state)
    benchmark::DoNotOptimize(kind == PeKind::kMin
                                 ? minconv::golden::minconv2d_float(in, w, bias, l.out_c, l.geometry(), mu_x)
                                 : minconv::golden::conv2d_float(in, w, bias, l.out_c, l.geometry()));
  set_rate(state, l.macs());
}

void golden_int8(benchmark::State& state, Layer l, PeKind kind, Inputs inputs) {
  minconv::golden::Tensor8 in(l.h, l.h, l.c);
  in.data = random_values<int8_t>(in.size(), 1, inputs);
  const std::vector<int8_t> w = random_values<int8_t>(std::size_t(l.out_c) * l.k * l.k * l.c, 2);
  for (auto _ : state)
    benchmark::DoNotOptimize(minconv::golden::conv2d_acc(kind, in, w, l.out_c, l.geometry()));
  set_rate(state, l.macs());
}

void engine_fold(benchmark::State& state, Layer l, PeKind kind, Inputs inputs) {
  const std::size_t K = std::size_t(l.k) * l.k * l.c;
  const std::vector<int8_t> w = random_values<int8_t>(8 * K, 5), x = random_values<int8_t>(8 * K, 6, inputs);
  for (auto _ : state) benchmark::DoNotOptimize(accumulate(kind, 8, 8, w, x, K));
  set_rate(state, 64.0 * K);
}

}  // namespace
int main(int argc, char** argv) {
  for (Inputs in : {Inputs::kRelu, Inputs::kSigned})
    for (const Layer& l : kLayers)
      for (PeKind kind : {PeKind::kMin, PeKind::kMul}) {
        const std::string s = std::string("/") + l.name + "/" + (kind == PeKind::kMin ? "min" : "mul") +
                              (in == Inputs::kRelu ? "/relu_inputs" : "/signed_inputs");
        benchmark::RegisterBenchmark(("golden_int8_before" + s).c_str(), golden_int8, l, kind, in);
        benchmark::RegisterBenchmark(("float_before" + s).c_str(), float_conv, l, kind, in);
        benchmark::RegisterBenchmark(("engine_fold_before" + s).c_str(), engine_fold, l, kind, in);
      }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
