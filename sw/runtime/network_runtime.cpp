#include "sw/runtime/network_runtime.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "sw/hal/regs/accel_regs.h"

namespace minconv::sw {

NetworkRuntime::NetworkRuntime(hal::Hal& hal, const hal::SocInfo& soc, CpuCosts costs)
    : hal_(hal), soc_(soc), costs_(costs), irq_(hal, soc), dma_(hal, soc, irq_), accel_(hal, soc, irq_) {}

RunReport NetworkRuntime::run(const golden::QuantModel& model, const ModelLayout& layout,
                              const std::function<void(const LayerReport&)>& progress) {
  const std::vector<golden::Shape> shapes = golden::validate(model);
  RunReport result;
  result.caps = accel_.caps();
  uint32_t input = layout.input;
  golden::Shape in_shape = model.input;
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    const golden::QuantLayer& layer = model.layers[i];
    const hal::Phase phase(hal_, layer.name);  // the layer's slice in a trace
    LayerReport r;
    r.name = layer.name;
    r.type = golden::to_string(layer.type);
    const uint64_t t0 = hal_.cycles();
    if (layer.type == golden::LayerType::kConv || layer.type == golden::LayerType::kFc) {
      LayerShape g;
      g.name = layer.name;
      const bool fc = layer.type == golden::LayerType::kFc;
      g.in_h = fc ? 1 : in_shape.h;
      g.in_w = fc ? 1 : in_shape.w;
      g.in_c = fc ? in_shape.h * in_shape.w * in_shape.c : in_shape.c;
      g.out_h = shapes[i].h;
      g.out_w = shapes[i].w;
      g.out_c = shapes[i].c;
      g.g = layer.geometry;
      g.relu = layer.relu;
      g.raw = layer.raw_output;
      r.on_accel = true;
      r.macs = static_cast<uint64_t>(g.out_h) * g.out_w * g.out_c * g.filter_bytes();
      run_accel_layer(
          g,
          {input, layout.weights[i], layout.post[i], layout.outputs[i], layout.scratch, soc_.accel_sram_base},
          r);
    } else {
      run_pool_layer(layer, in_shape, shapes[i], input, layout.outputs[i], r);
    }
    r.cpu_cycles = hal_.cycles() - t0;
    if (progress) progress(r);
    result.layers.push_back(r);
    input = layout.outputs[i];
    in_shape = shapes[i];
  }
  return result;
}

void NetworkRuntime::check_layer(const LayerShape& g) const {
  const AccelCaps& caps = accel_.caps();
  const auto fail = [&](const std::string& why) {
    throw std::runtime_error("layer '" + g.name + "': " + why);
  };
  const golden::ConvGeometry& cg = g.g;
  if (static_cast<uint32_t>(std::max(cg.kh, cg.kw)) > caps.max_kernel)
    fail("kernel larger than the accelerator's");
  if (static_cast<uint32_t>(std::max(cg.stride_h, cg.stride_w)) > caps.max_stride) fail("stride too large");
  if (std::max({cg.pad_top, cg.pad_bottom}) >= cg.kh || std::max(cg.pad_left, cg.pad_right) >= cg.kw) {
    fail("padding must be smaller than the kernel (outputs that see only padding are not supported)");
  }
  const golden::PeKind pe = caps.pe_kind == regs::accel::kPeMin ? golden::PeKind::kMin : golden::PeKind::kMul;
  if (int64_t{g.filter_bytes()} > golden::max_reduction(pe)) {
    fail("its reduction kh*kw*in_c = " + std::to_string(g.filter_bytes()) +
         " could overflow the accelerator's " + "int32 accumulators (at most " +
         std::to_string(golden::max_reduction(pe)) + " on the " + golden::to_string(pe) + " PE)");
  }
}

void NetworkRuntime::run_accel_layer(const LayerShape& g, const LayerAddresses& at, LayerReport& report) {
  check_layer(g);
  const AccelCaps& caps = accel_.caps();
  const TilePlan plan =
      plan_tiles(g, BufferHalves{caps.in_bytes / 2, caps.wt_bytes / 2, caps.out_bytes / 2, caps.rows});
  report.tile_h = plan.th;
  report.tile_w = plan.tw;
  report.tile_c = plan.tc;
  report.weights_outer = plan.weights_outer;
  const AccelCounters before = accel_.counters();
  accel_.layer_begin();
  const DramTraffic traffic = LayerRun(hal_, dma_, accel_, g, plan, at, costs_.per_tile).run();
  accel_.layer_end();
  report.dram_read_bytes += traffic.read;
  report.dram_write_bytes += traffic.write;
  report.accel = accel_.counters() - before;
  report.tiles = plan.tiles.size();
}

void NetworkRuntime::run_pool_layer(const golden::QuantLayer& layer, const golden::Shape& in,
                                    const golden::Shape& out, uint32_t input, uint32_t output,
                                    LayerReport& report) {
  std::vector<int8_t> src(static_cast<std::size_t>(in.h) * in.w * in.c);
  hal_.read_block(input, src.data(), src.size());
  std::vector<int8_t> dst(static_cast<std::size_t>(out.h) * out.w * out.c);
  const int k = layer.k, s = layer.stride;
  const bool is_max = layer.type == golden::LayerType::kMaxPool;
  for (int y = 0; y < out.h; ++y)
    for (int x = 0; x < out.w; ++x)
      for (int c = 0; c < out.c; ++c) {
        int best = -128, sum = 0;
        for (int dy = 0; dy < k; ++dy)
          for (int dx = 0; dx < k; ++dx) {
            const int v = src[(static_cast<std::size_t>(y * s + dy) * in.w + (x * s + dx)) * in.c + c];
            best = std::max(best, v);
            sum += v;
          }
        int v = best;
        if (!is_max) {  // mean, rounded half away from zero
          const int n = k * k;
          v = sum >= 0 ? (2 * sum + n) / (2 * n) : -((-2 * sum + n) / (2 * n));
        }
        dst[(static_cast<std::size_t>(y) * out.w + x) * out.c + c] = static_cast<int8_t>(v);
      }
  hal_.spend(dst.size() * (uint64_t(k) * k * costs_.per_pool_operand + costs_.per_output));
  hal_.write_block(output, dst.data(), dst.size());
  report.dram_read_bytes = src.size();
  report.dram_write_bytes = dst.size();
}

}  // namespace minconv::sw
