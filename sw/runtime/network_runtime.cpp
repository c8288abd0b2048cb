#include "sw/runtime/network_runtime.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "sw/hal/regs/accel_regs.h"

namespace minconv::sw {

namespace {
uint32_t align4(uint64_t v) { return static_cast<uint32_t>((v + 3) / 4 * 4); }
constexpr uint32_t kDescBytes = 40;  // one DMA descriptor (regs::dma::kDescWords words)
}  // namespace

struct NetworkRuntime::Geometry {
  std::string name;
  int in_h = 0, in_w = 0, in_c = 0;
  int out_h = 0, out_w = 0, out_c = 0;
  golden::ConvGeometry g;
  bool relu = false, raw = false;
  uint32_t filter_bytes() const { return static_cast<uint32_t>(g.kh * g.kw * in_c); }
  uint32_t elem() const { return raw ? 4 : 1; }
};

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
    LayerReport r;
    r.name = layer.name;
    r.type = golden::to_string(layer.type);
    const uint64_t t0 = hal_.cycles();
    if (layer.type == golden::LayerType::kConv || layer.type == golden::LayerType::kFc) {
      Geometry g;
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
      run_accel_layer(layer, g, input, layout.weights[i], layout.post[i], layout.outputs[i], layout.scratch,
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

void NetworkRuntime::run_accel_layer(const golden::QuantLayer& layer, const Geometry& g, uint32_t input,
                                     uint32_t weights, uint32_t post, uint32_t output, uint32_t scratch,
                                     LayerReport& report) {
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
  const uint32_t in_half = caps.in_bytes / 2, wt_half = caps.wt_bytes / 2, out_half = caps.out_bytes / 2;
  const uint32_t kf = g.filter_bytes();
  const golden::PeKind pe = caps.pe_kind == regs::accel::kPeMin ? golden::PeKind::kMin : golden::PeKind::kMul;
  if (int64_t{kf} > golden::max_reduction(pe)) {
    fail("its reduction kh*kw*in_c = " + std::to_string(kf) + " could overflow the accelerator's int32 " +
         "accumulators (at most " + std::to_string(golden::max_reduction(pe)) + " on the " +
         golden::to_string(pe) + " PE)");
  }

  // Output channels per tile: as many filters (and their post-scale records) as half the weight buffer
  // holds, rounded down to whole array rows when there are at least that many.
  uint32_t tc = static_cast<uint32_t>(g.out_c);
  while (tc > 0 && align4(uint64_t{tc} * kf) + 12ull * tc > wt_half) --tc;
  if (tc == 0) fail("one filter (" + std::to_string(kf) + " bytes) does not fit half the weight buffer");
  if (tc >= caps.rows && tc < static_cast<uint32_t>(g.out_c)) tc = tc / caps.rows * caps.rows;

  // Output rows x columns per tile: full rows if possible, as many as the input and output halves hold.
  const auto in_rows = [&](int th) { return std::min(g.in_h, (th - 1) * cg.stride_h + cg.kh); };
  const auto in_cols = [&](int tw) { return std::min(g.in_w, (tw - 1) * cg.stride_w + cg.kw); };
  const auto fits = [&](int th, int tw) {
    return uint64_t(in_rows(th)) * in_cols(tw) * g.in_c <= in_half &&
           uint64_t(th) * tw * tc * g.elem() <= out_half;
  };
  int tw = g.out_w, th = 0;
  while (th < g.out_h && fits(th + 1, tw)) ++th;
  if (th == 0) {
    th = 1;
    while (tw > 0 && !fits(1, tw)) --tw;
    if (tw == 0) fail("not even one output pixel fits the accelerator's buffers");
  }
  const int n_rows = (g.out_h + th - 1) / th, n_cols = (g.out_w + tw - 1) / tw;
  const int n_spatial = n_rows * n_cols;
  const int n_chunks = (g.out_c + static_cast<int>(tc) - 1) / static_cast<int>(tc);
  // Loop order: reload whichever costs less DRAM traffic.
  const uint64_t w_total = uint64_t(g.out_c) * (kf + 12);
  const uint64_t in_total = uint64_t(n_spatial) * in_rows(th) * in_cols(tw) * g.in_c;
  const bool weights_outer = w_total + n_chunks * in_total <= in_total + n_spatial * w_total;
  report.tile_h = static_cast<uint32_t>(th);
  report.tile_w = static_cast<uint32_t>(tw);
  report.tile_c = tc;
  report.weights_outer = weights_outer;

  struct Tile {
    int spatial, chunk;
    int oy0, ox0, c0, th, tw, tc;
    int y_lo, x_lo, in_h, in_w, pad_t, pad_l, pad_b, pad_r;
  };
  std::vector<Tile> tiles;
  for (int a = 0; a < (weights_outer ? n_chunks : n_spatial); ++a) {
    for (int b = 0; b < (weights_outer ? n_spatial : n_chunks); ++b) {
      Tile t{};
      t.chunk = weights_outer ? a : b;
      t.spatial = weights_outer ? b : a;
      t.oy0 = (t.spatial / n_cols) * th;
      t.ox0 = (t.spatial % n_cols) * tw;
      t.c0 = t.chunk * static_cast<int>(tc);
      t.th = std::min(th, g.out_h - t.oy0);
      t.tw = std::min(tw, g.out_w - t.ox0);
      t.tc = std::min(static_cast<int>(tc), g.out_c - t.c0);
      const int iy0 = t.oy0 * cg.stride_h - cg.pad_top,
                iy1 = (t.oy0 + t.th - 1) * cg.stride_h - cg.pad_top + cg.kh - 1;
      const int ix0 = t.ox0 * cg.stride_w - cg.pad_left,
                ix1 = (t.ox0 + t.tw - 1) * cg.stride_w - cg.pad_left + cg.kw - 1;
      t.y_lo = std::max(0, iy0);
      t.x_lo = std::max(0, ix0);
      t.in_h = std::min(g.in_h - 1, iy1) - t.y_lo + 1;
      t.in_w = std::min(g.in_w - 1, ix1) - t.x_lo + 1;
      t.pad_t = t.y_lo - iy0;
      t.pad_l = t.x_lo - ix0;
      t.pad_b = std::max(0, iy1 - (g.in_h - 1));
      t.pad_r = std::max(0, ix1 - (g.in_w - 1));
      tiles.push_back(t);
    }
  }

  const uint32_t sram = soc_.accel_sram_base;
  // What each half of the input and weight buffers holds (spatial tile / channel chunk), and which halves
  // each tile reads. A tile reads whichever half holds its data; new data goes into the half that the
  // running tile does not read, so nothing is loaded twice and nothing is overwritten while in use.
  int in_holds[2] = {-1, -1}, wt_holds[2] = {-1, -1};
  std::vector<int> in_half_of(tiles.size()), wt_half_of(tiles.size());
  const bool two_channels = dma_.channels() >= 2;
  const unsigned load_ch = 0, drain_ch = two_channels ? 1 : 0;
  bool load_pending = false, drain_pending = false;

  // Picks the half tile i reads for one buffer; true if the data must be loaded into it.
  const auto place = [&](std::size_t i, int(&holds)[2], std::vector<int>& half_of, int item) {
    for (int h = 0; h < 2; ++h) {
      if (holds[h] == item) {
        half_of[i] = h;
        return false;
      }
    }
    const int h = i == 0 ? 0 : 1 - half_of[i - 1];  // tile i - 1 is running while tile i's data loads
    holds[h] = item;
    half_of[i] = h;
    return true;
  };

  // Issues the DMA loads tile i needs (skipping what a half already holds).
  const auto prefetch = [&](std::size_t i) {
    const Tile& t = tiles[i];
    std::vector<DmaJob> jobs;
    if (place(i, in_holds, in_half_of, t.spatial)) {
      const uint32_t h = static_cast<uint32_t>(in_half_of[i]);
      DmaJob in;
      in.src = input + static_cast<uint32_t>((t.y_lo * g.in_w + t.x_lo) * g.in_c);
      in.dst = sram + caps.in_offset + h * in_half;
      in.row_bytes = static_cast<uint32_t>(t.in_w * g.in_c);
      in.rows = static_cast<uint32_t>(t.in_h);
      in.src_row_stride = static_cast<uint32_t>(g.in_w * g.in_c);
      in.dst_row_stride = in.row_bytes;
      jobs.push_back(in);
    }
    if (place(i, wt_holds, wt_half_of, t.chunk)) {
      const uint32_t h = static_cast<uint32_t>(wt_half_of[i]);
      DmaJob w;
      w.src = weights + static_cast<uint32_t>(t.c0) * kf;
      w.dst = sram + caps.wt_offset + h * wt_half;
      w.row_bytes = static_cast<uint32_t>(t.tc) * kf;
      jobs.push_back(w);
      DmaJob q;
      q.src = post + static_cast<uint32_t>(t.c0) * 12;
      q.dst = w.dst + align4(w.row_bytes);
      q.row_bytes = static_cast<uint32_t>(t.tc) * 12;
      jobs.push_back(q);
    }
    for (const DmaJob& j : jobs) report.dram_read_bytes += j.bytes();
    if (jobs.size() == 1) {
      dma_.start(load_ch, jobs[0]);
    } else if (!jobs.empty()) {
      const uint32_t list = scratch + static_cast<uint32_t>(i % 2) * 512;
      dma_.write_descriptors(list, jobs);
      report.dram_write_bytes += jobs.size() * kDescBytes;  // the CPU writes the list,
      report.dram_read_bytes += jobs.size() * kDescBytes;   // the DMA fetches it
      dma_.start_list(load_ch, list);
    }
    load_pending = !jobs.empty();
  };
  const auto drain = [&](std::size_t i) {
    const Tile& t = tiles[i];
    const uint32_t e = g.elem();
    DmaJob out;
    out.src = sram + caps.out_offset + static_cast<uint32_t>(i % 2) * out_half;
    out.dst = output + static_cast<uint32_t>(((t.oy0 * g.out_w + t.ox0) * g.out_c + t.c0) * e);
    if (t.tc == g.out_c) {  // whole pixels: one row of the tile is contiguous in DRAM
      out.row_bytes = static_cast<uint32_t>(t.tw * t.tc) * e;
      out.rows = static_cast<uint32_t>(t.th);
      out.src_row_stride = out.row_bytes;
      out.dst_row_stride = static_cast<uint32_t>(g.out_w * g.out_c) * e;
    } else {  // a channel slice of every pixel
      out.row_bytes = static_cast<uint32_t>(t.tc) * e;
      out.rows = static_cast<uint32_t>(t.tw);
      out.planes = static_cast<uint32_t>(t.th);
      out.src_row_stride = out.row_bytes;
      out.src_plane_stride = static_cast<uint32_t>(t.tw * t.tc) * e;
      out.dst_row_stride = static_cast<uint32_t>(g.out_c) * e;
      out.dst_plane_stride = static_cast<uint32_t>(g.out_w * g.out_c) * e;
    }
    report.dram_write_bytes += out.bytes();
    dma_.start(drain_ch, out);
    drain_pending = true;
  };
  const auto wait_drain = [&] {
    if (drain_pending) dma_.wait(drain_ch);
    drain_pending = false;
  };

  const AccelCounters before = accel_.counters();
  accel_.layer_begin();
  prefetch(0);
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const Tile& t = tiles[i];
    const uint32_t h = static_cast<uint32_t>(i % 2);
    if (load_pending) dma_.wait(load_ch);
    load_pending = false;
    hal_.spend(costs_.per_tile);
    AccelTile d;
    d.in_addr = static_cast<uint32_t>(in_half_of[i]) * in_half;
    d.in_h = static_cast<uint32_t>(t.in_h);
    d.in_w = static_cast<uint32_t>(t.in_w);
    d.in_c = static_cast<uint32_t>(g.in_c);
    d.pad_top = static_cast<uint32_t>(t.pad_t);
    d.pad_left = static_cast<uint32_t>(t.pad_l);
    d.pad_bottom = static_cast<uint32_t>(t.pad_b);
    d.pad_right = static_cast<uint32_t>(t.pad_r);
    d.kh = static_cast<uint32_t>(cg.kh);
    d.kw = static_cast<uint32_t>(cg.kw);
    d.stride_h = static_cast<uint32_t>(cg.stride_h);
    d.stride_w = static_cast<uint32_t>(cg.stride_w);
    d.out_h = static_cast<uint32_t>(t.th);
    d.out_w = static_cast<uint32_t>(t.tw);
    d.out_c = static_cast<uint32_t>(t.tc);
    d.wt_addr = static_cast<uint32_t>(wt_half_of[i]) * wt_half;
    d.q_addr = d.wt_addr + align4(uint64_t(t.tc) * kf);
    d.out_addr = h * out_half;
    d.relu = g.relu;
    d.raw_output = g.raw;
    accel_.start(d);
    if (i > 0) drain(i - 1);                    // the previous tile's outputs leave while this one computes
    if (!two_channels) wait_drain();            // one channel: drain before the next load
    if (i + 1 < tiles.size()) prefetch(i + 1);  // the next tile's operands arrive while this one computes
    accel_.wait();
    wait_drain();
  }
  drain(tiles.size() - 1);
  wait_drain();
  accel_.layer_end();
  report.accel = accel_.counters() - before;
  report.tiles = tiles.size();
  (void)layer;
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
