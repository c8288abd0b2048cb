#include "sw/runtime/network_runtime.h"

#include <algorithm>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "sw/hal/regs/accel_regs.h"
#include "sw/runtime/plan_cost.h"

namespace minconv::sw {

NetworkRuntime::NetworkRuntime(hal::Hal& hal, const hal::SocInfo& soc, CpuCosts costs, RuntimeOptions options)
    : hal_(hal),
      soc_(soc),
      costs_(costs),
      options_(options),
      irq_(hal, soc),
      dma_(hal, soc, irq_),
      accel_(hal, soc, irq_) {}

namespace {

LayerShape accel_shape(const golden::QuantLayer& layer, const golden::Shape& in, const golden::Shape& out) {
  LayerShape g;
  g.name = layer.name;
  const bool fc = layer.type == golden::LayerType::kFc;
  g.in_h = fc ? 1 : in.h;
  g.in_w = fc ? 1 : in.w;
  g.in_c = fc ? in.h * in.w * in.c : in.c;
  g.out_h = out.h;
  g.out_w = out.w;
  g.out_c = out.c;
  g.g = layer.geometry;
  g.relu = layer.relu;
  g.raw = layer.raw_output;
  return g;
}

bool is_accel_layer(const golden::QuantLayer& l) {
  return l.type == golden::LayerType::kConv || l.type == golden::LayerType::kFc;
}

}  // namespace

LayerShape NetworkRuntime::layer_shape(const golden::QuantModel& model,
                                       const std::vector<golden::Shape>& shapes, std::size_t i,
                                       const golden::Shape& in) const {
  const golden::QuantLayer& layer = model.layers[i];
  LayerShape g = accel_shape(layer, in, shapes[i]);
  if (options_.fuse_pooling && i + 1 < model.layers.size() &&
      can_fuse_pool(layer, model.layers[i + 1], shapes[i])) {
    const golden::QuantLayer& pool = model.layers[i + 1];
    g.pool_mode = pool.type == golden::LayerType::kMaxPool ? regs::accel::kPoolMax : regs::accel::kPoolAvg;
    g.pool_k = pool.k;
  }
  return g;
}

BufferHalves NetworkRuntime::halves(double preload_hidden_cycles, bool resident) const {
  const AccelCaps& caps = accel_.caps();
  BufferHalves h{caps.in_bytes / 2, caps.wt_bytes / 2, caps.out_bytes / 2, caps.rows, options_.min_tiles};
  h.split_reduction = options_.split_reduction;
  h.cols = caps.cols;
  h.first_weights_hidden_cycles = preload_hidden_cycles;
  h.weights_resident = resident;
  h.burst_bytes = dma_.burst_bytes();
  if (soc_.dram_peak_mb_s > 0 && caps.clock_khz > 0)
    h.dram_bytes_per_cycle = soc_.dram_peak_mb_s * 1e3 / caps.clock_khz;
  return h;
}

namespace {

// Every input of the planner, as a key of the plan cache.
std::string plan_key(const LayerShape& l, const BufferHalves& h) {
  std::ostringstream k;
  const golden::ConvGeometry& g = l.g;
  k << l.name << ' ' << l.in_h << ' ' << l.in_w << ' ' << l.in_c << ' ' << l.out_h << ' ' << l.out_w << ' '
    << l.out_c << ' ' << g.kh << ' ' << g.kw << ' ' << g.stride_h << ' ' << g.stride_w << ' ' << g.pad_top
    << ' ' << g.pad_left << ' ' << g.pad_bottom << ' ' << g.pad_right << ' ' << l.relu << l.raw << ' '
    << l.pool_mode << ' ' << l.pool_k << ' ' << h.in << ' ' << h.wt << ' ' << h.out << ' ' << h.rows << ' '
    << h.cols << ' ' << h.min_tiles << ' ' << h.min_split_bytes << ' ' << h.split_reduction << ' '
    << h.dram_bytes_per_cycle << ' ' << h.first_weights_hidden_cycles << ' ' << h.burst_bytes << ' '
    << h.weights_resident;
  return k.str();
}

}  // namespace

TilePlan NetworkRuntime::cached_plan(const LayerShape& g, const BufferHalves& h) const {
  const std::string key = plan_key(g, h);
  const auto it = plans_.find(key);
  if (it != plans_.end()) return it->second;
  return plans_.emplace(key, plan_tiles(g, h)).first->second;
}

// Plans layer i (`g`) as it will run after the current layer (`current`, planned as `plan`) has (if
// `prefetched`) loaded its first weight chunk during its last tile, and the jobs of that prefetch. False if
// layer i cannot be planned (it fails when it runs). `input` (streaming, non-zero): layer i is the next
// image's first layer, whose first tile's input is loaded from there too.
bool NetworkRuntime::plan_next(const LayerShape& current, const TilePlan& plan, const LayerShape& g,
                               const ModelLayout& layout, std::size_t i, NextLayer& next, bool prefetched,
                               uint32_t input) const {
  const double hidden =
      prefetched ? static_cast<double>(tile_compute_cycles(current, halves(0), plan.tiles.back())) : 0;
  try {
    next.plan = cached_plan(g, halves(hidden, !resident_.empty()));
  } catch (const std::runtime_error&) {
    return false;
  }
  next.weights.jobs = weight_jobs(g, next.plan.tiles.front(), layout.weights[i], layout.post[i], 0);
  if (input != 0) next.weights.input = tile_input_job(g, next.plan.tiles.front(), input, 0);
  return true;
}

bool NetworkRuntime::can_fuse_pool(const golden::QuantLayer& conv, const golden::QuantLayer& pool,
                                   const golden::Shape& conv_out) const {
  const bool is_pool = pool.type == golden::LayerType::kMaxPool || pool.type == golden::LayerType::kAvgPool;
  return conv.type == golden::LayerType::kConv && is_pool && !conv.raw_output && pool.stride == pool.k &&
         pool.k >= 1 && static_cast<uint32_t>(pool.k) <= accel_.caps().max_pool && conv_out.h >= pool.k &&
         conv_out.w >= pool.k;
}

RunReport NetworkRuntime::run(const golden::QuantModel& model, const ModelLayout& layout,
                              const std::function<void(const LayerReport&)>& progress) {
  return run_image(model, layout, layout.input, std::nullopt, progress);
}

RunReport NetworkRuntime::run_image(const golden::QuantModel& model, const ModelLayout& layout,
                                    uint32_t image_input, std::optional<uint32_t> next_input,
                                    const std::function<void(const LayerReport&)>& progress) {
  const std::vector<golden::Shape> shapes = golden::validate(model);
  RunReport result;
  result.caps = accel_.caps();
  result.start_cycle = hal_.cycles();
  if (preloaded_input_half_ >= 0) {  // streamed: this image's first loads began in the previous image
    if (streamed_input_ != image_input) {
      throw std::logic_error("run_image: the previous image loaded the next input from " +
                             std::to_string(streamed_input_) + ", this image's is at " +
                             std::to_string(image_input));
    }
    result.start_cycle = streamed_since_;
  } else {  // a stream starts: its images share the weights if they fit the weight buffer together
    preloaded_half_ = -1;
    next_bookkept_ = false;
    preloaded_traffic_ = {};
    next_plan_.reset();
    resident_.clear();
    if (next_input && options_.share_weights) resident_ = plan_resident(model, shapes);
  }
  on_chip_input_ = {};
  const ImageRun img{model, shapes, layout, next_input};
  uint32_t input = image_input;
  golden::Shape in_shape = model.input;
  const auto finish = [&](LayerReport& r, std::size_t i) {
    if (progress) progress(r);
    result.layers.push_back(r);
    input = layout.outputs[i];
    in_shape = shapes[i];
  };
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    const golden::QuantLayer& layer = model.layers[i];
    const hal::Phase phase(hal_, layer.name);  // the layer's slice in a trace
    LayerReport r;
    r.name = layer.name;
    r.type = golden::to_string(layer.type);
    const uint64_t t0 = hal_.cycles();
    if (!is_accel_layer(layer)) {
      run_pool_layer(layer, in_shape, shapes[i], input, layout.outputs[i], r);
      r.cpu_cycles = hal_.cycles() - t0;
      finish(r, i);
      continue;
    }
    std::vector<LayerReport> reports = run_accel_step(img, i, input, in_shape);
    reports.front().cpu_cycles = hal_.cycles() - t0;
    finish(reports.front(), i);
    if (reports.size() == 2) finish(reports.back(), ++i);  // the fused pool's (its figures are the conv's)
  }
  if (preloaded_input_half_ >= 0) streamed_input_ = *next_input;
  result.end_cycle = hal_.cycles();
  return result;
}

std::vector<LayerReport> NetworkRuntime::run_accel_step(const ImageRun& img, std::size_t i, uint32_t input,
                                                        const golden::Shape& in_shape) {
  const golden::QuantModel& model = img.model;
  const LayerShape g = layer_shape(model, img.shapes, i, in_shape);
  const bool fuse = g.pool_mode != 0;
  std::vector<LayerReport> out(fuse ? 2 : 1);
  LayerReport& r = out.front();
  r.name = model.layers[i].name;
  r.type = golden::to_string(model.layers[i].type);
  r.on_accel = true;
  r.output_in_dram = !fuse;
  // The MACs the array executes: with a fused pool, conv outputs no window reads are not computed.
  r.macs =
      static_cast<uint64_t>(g.final_h() * g.unit()) * (g.final_w() * g.unit()) * g.out_c * g.filter_bytes();
  const std::size_t next = fuse ? i + 2 : i + 1;
  check_layer(g);
  const bool has_next = next < model.layers.size() && is_accel_layer(model.layers[next]);
  const LayerShape gn = has_next ? layer_shape(model, img.shapes, next, img.shapes[next - 1]) : LayerShape{};
  StepPlan step = plan_step(img, g, has_next ? &gn : nullptr, next);
  const TilePlan& plan = step.plan;
  NextLayer& nl = step.next;
  const bool planned = step.planned, prefetch = step.prefetch;
  const std::optional<OnChip> keep = planned ? reuse_target(g, plan, gn, nl.plan) : std::nullopt;
  LayerAddresses at{input,
                    img.layout.weights[i],
                    img.layout.post[i],
                    img.layout.outputs[fuse ? i + 1 : i],
                    img.layout.scratch,
                    soc_.accel_sram_base};
  if (keep) {
    at.output = soc_.accel_sram_base + accel_.caps().in_offset + keep->offset;
    at.output_on_chip = true;
  }
  run_accel_layer(g, plan, at, prefetch ? &nl.weights : nullptr, r, resident(i));
  if (planned || prefetch) next_plan_ = std::move(nl);
  on_chip_input_ = keep.value_or(OnChip{});
  if (fuse) {  // the pool ran in the conv layer's tiles
    LayerReport& p = out.back();
    p.name = model.layers[i + 1].name;
    { const hal::Phase fused(hal_, p.name); }  // a zero-length slice at the end of the conv layer's
    p.type = golden::to_string(model.layers[i + 1].type);
    p.on_accel = true;
    p.fused = true;
  }
  if (keep) {
    out.back().output_in_dram = false;
    out.back().output_on_chip = true;
    out.back().on_chip_output = probe_tensor(at.output, uint64_t(g.final_h()) * g.final_w() * g.out_c);
  }
  return out;
}

NetworkRuntime::StepPlan NetworkRuntime::plan_step(const ImageRun& img, const LayerShape& g,
                                                   const LayerShape* next_shape, std::size_t next) {
  StepPlan s;
  // Resident weights need no prefetch: every layer is planned as it runs without one.
  const bool prefetch_weights = options_.prefetch_weights && resident_.empty();
  s.plan = next_plan_ && resident_.empty() ? std::move(next_plan_->plan)
                                           : cached_plan(g, halves(0, !resident_.empty()));
  next_plan_.reset();
  s.planned =
      next_shape != nullptr && plan_next(g, s.plan, *next_shape, img.layout, next, s.next, prefetch_weights);
  // With resident weights the "prefetch" carries no weights, only the next layer's first-tile bookkeeping.
  s.prefetch = s.planned && (prefetch_weights || !resident_.empty());
  const bool streaming_last =
      img.next_input && next == img.model.layers.size() && is_accel_layer(img.model.layers[0]);
  if (streaming_last) {
    // The last layer: the next image's first layer follows (its input is in DRAM already).
    s.prefetch = plan_next(g, s.plan, layer_shape(img.model, img.shapes, 0, img.model.input), img.layout, 0,
                           s.next, prefetch_weights, *img.next_input);
  }
  if (!resident_.empty()) resident_prefetch(s, streaming_last ? 0 : next);
  return s;
}

// Weight sharing: the next layer's (layer `next`'s) first weight item is loaded into its resident place
// during the current layer's last tile, unless an earlier image (or tile) has loaded it there already.
void NetworkRuntime::resident_prefetch(StepPlan& s, std::size_t next) {
  Resident* r = resident(next);
  if (!s.prefetch || r == nullptr) return;
  const int item = s.next.plan.item_wt(s.next.plan.tiles.front());
  if (!options_.prefetch_weights || r->loaded[static_cast<std::size_t>(item)]) {
    s.next.weights.jobs.clear();  // the prefetch carries the bookkeeping (and a streamed input) only
    return;
  }
  for (DmaJob& j : s.next.weights.jobs)
    j.dst += static_cast<uint32_t>(r->offset) + static_cast<uint32_t>(item) * r->stride;
  s.next.weights.resident = true;
  r->loaded[static_cast<std::size_t>(item)] = true;
}

// Weight sharing (RuntimeOptions::share_weights): a place in the weight buffer for every weight item of every
// conv/fc layer (as planned), if they all fit it together, else nothing.
std::vector<NetworkRuntime::Resident> NetworkRuntime::plan_resident(
    const golden::QuantModel& model, const std::vector<golden::Shape>& shapes) {
  std::vector<Resident> out(model.layers.size());
  uint64_t offset = 0;
  golden::Shape in = model.input;
  for (std::size_t i = 0; i < model.layers.size(); in = shapes[i], ++i) {
    if (!is_accel_layer(model.layers[i])) continue;
    const LayerShape g = layer_shape(model, shapes, i, in);
    const TilePlan plan = cached_plan(g, halves(0, true));
    int items = 0;
    for (const Tile& t : plan.tiles) items = std::max(items, plan.item_wt(t) + 1);
    out[i].offset = static_cast<int64_t>(offset);
    out[i].stride =
        static_cast<uint32_t>(weight_chunk_bytes(plan.tc, static_cast<uint32_t>(g.g.kh * g.g.kw) * plan.ic));
    out[i].loaded.assign(static_cast<std::size_t>(items), false);
    offset += uint64_t(items) * out[i].stride;
    if (offset > accel_.caps().wt_bytes) return {};
    if (g.pool_mode != 0) ++i;  // the fused pool (its output is the next layer's input)
  }
  return out;
}

std::optional<NetworkRuntime::OnChip> NetworkRuntime::reuse_target(const LayerShape& g, const TilePlan& plan,
                                                                   const LayerShape& next,
                                                                   const TilePlan& next_plan) const {
  const uint32_t half = accel_.caps().in_bytes / 2;
  const uint64_t bytes = uint64_t(g.final_h()) * g.final_w() * g.out_c;
  if (!options_.reuse_outputs || g.raw || bytes > half || next_plan.slices != 1) return std::nullopt;
  // The next layer reads the whole tensor, as it is laid out in DRAM, as its one input block.
  const Tile& t0 = next_plan.tiles.front();
  for (const Tile& t : next_plan.tiles) {
    if (next_plan.item_in(t) != next_plan.item_in(t0)) return std::nullopt;
  }
  if (t0.y_lo != 0 || t0.x_lo != 0 || t0.in_h != next.in_h || t0.in_w != next.in_w ||
      uint64_t(next.in_h) * next.in_w * next.in_c != bytes) {
    return std::nullopt;
  }
  // At the top of an input half: the one the current layer's on-chip input is not in (it loads nothing
  // else), or half 1 above every block the current layer loads (blocks start at a half's bottom).
  const uint32_t region = static_cast<uint32_t>((half - bytes) / 4 * 4);
  if (on_chip_input_.half >= 0) {
    const int target = 1 - on_chip_input_.half;
    return OnChip{target, static_cast<uint32_t>(target) * half + region};
  }
  for (const Tile& t : plan.tiles) {
    if (uint64_t(t.in_h) * t.in_w * t.icn > region) return std::nullopt;
  }
  return OnChip{1, half + region};
}

// The tensor at `address` through debug probes (instrumentation: no bus time).
std::vector<uint8_t> NetworkRuntime::probe_tensor(uint32_t address, uint64_t bytes) const {
  std::vector<uint8_t> v(bytes);
  for (uint64_t k = 0; k < bytes; k += 4) {
    const uint32_t w = hal_.probe32(address + static_cast<uint32_t>(k));
    for (uint64_t b = 0; b < 4 && k + b < bytes; ++b) v[k + b] = static_cast<uint8_t>(w >> (8 * b));
  }
  return v;
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

void NetworkRuntime::run_accel_layer(const LayerShape& g, const TilePlan& plan, const LayerAddresses& at,
                                     const NextWeights* next, LayerReport& report, Resident* resident) {
  report.tile_h = plan.th;
  report.tile_w = plan.tw;
  report.tile_c = plan.tc;
  report.tile_ic = plan.ic;
  report.slices = plan.slices;
  report.weights_outer = plan.weights_outer;
  const AccelCounters before = accel_.counters();
  accel_.layer_begin();
  LayerRun run(hal_, dma_, accel_, g, plan, at, costs_.per_tile);
  if (next_bookkept_) run.preloaded(preloaded_half_, preloaded_input_half_, next_loads_);
  if (on_chip_input_.half >= 0) run.input_on_chip(on_chip_input_.half, on_chip_input_.offset);
  if (resident != nullptr)
    run.weights_resident(static_cast<uint32_t>(resident->offset), resident->stride, resident->loaded);
  if (next != nullptr) run.prefetch_next_layer(*next);
  const DramTraffic traffic = run.run();
  accel_.layer_end();
  // The bytes of this layer's own first chunk (loaded by the layer before) are its own.
  report.dram_read_bytes += traffic.read + preloaded_traffic_.read;
  report.dram_write_bytes += traffic.write + preloaded_traffic_.write;
  preloaded_half_ = run.next_weight_half();
  next_bookkept_ = run.next_layer_planned();
  next_loads_ = run.next_loads_started();
  preloaded_input_half_ = run.next_input_half();
  streamed_since_ = run.next_load_cycle();
  preloaded_traffic_ = run.next_traffic();
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
