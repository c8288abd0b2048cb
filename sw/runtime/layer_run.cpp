#include "sw/runtime/layer_run.h"

namespace minconv::sw {

namespace {
uint32_t align4(uint64_t v) { return static_cast<uint32_t>((v + 3) / 4 * 4); }
constexpr uint32_t kDescBytes = 40;  // one DMA descriptor (kDescWords words)
}  // namespace

LayerRun::LayerRun(hal::Hal& hal, DmaDriver& dma, AccelDriver& accel, const LayerShape& layer,
                   const TilePlan& plan, const LayerAddresses& at, uint32_t per_tile_cpu_cycles)
    : hal_(hal),
      dma_(dma),
      accel_(accel),
      l_(layer),
      plan_(plan),
      at_(at),
      per_tile_(per_tile_cpu_cycles),
      in_half_(accel.caps().in_bytes / 2),
      wt_half_(accel.caps().wt_bytes / 2),
      out_half_(accel.caps().out_bytes / 2),
      in_half_of_(plan.tiles.size()),
      wt_half_of_(plan.tiles.size()),
      drain_ch_(dma.channels() >= 2 ? 1 : 0) {}

std::vector<DmaJob> weight_jobs(const LayerShape& l, const Tile& t, uint32_t weights, uint32_t post,
                                uint32_t dst) {
  const uint32_t kf = l.filter_bytes(), taps = static_cast<uint32_t>(l.g.kh * l.g.kw);
  const uint32_t icn = static_cast<uint32_t>(t.icn), tc = static_cast<uint32_t>(t.tc);
  DmaJob w;
  w.src = weights + static_cast<uint32_t>(t.c0) * kf + static_cast<uint32_t>(t.ic0);
  w.dst = dst;
  if (t.icn == l.in_c) {
    w.row_bytes = tc * kf;
  } else {  // per filter, kh * kw runs of icn bytes
    w.row_bytes = icn;
    w.rows = taps;
    w.planes = tc;
    w.src_row_stride = static_cast<uint32_t>(l.in_c);
    w.dst_row_stride = icn;
    w.src_plane_stride = kf;
    w.dst_plane_stride = taps * icn;
  }
  std::vector<DmaJob> jobs{w};
  if (t.last_slice) {
    DmaJob q;
    q.src = post + static_cast<uint32_t>(t.c0) * 12;
    q.dst = dst + align4(uint64_t{tc} * taps * icn);
    q.row_bytes = post_bytes(tc);
    jobs.push_back(q);
  }
  return jobs;
}

DmaJob tile_input_job(const LayerShape& l, const Tile& t, uint32_t input, uint32_t dst) {
  DmaJob in;
  in.src = input + static_cast<uint32_t>((t.y_lo * l.in_w + t.x_lo) * l.in_c + t.ic0);
  in.dst = dst;
  const uint32_t row = static_cast<uint32_t>(l.in_w * l.in_c);  // one input row in DRAM
  if (t.icn == l.in_c) {
    in.row_bytes = static_cast<uint32_t>(t.in_w * l.in_c);
    in.rows = static_cast<uint32_t>(t.in_h);
    in.src_row_stride = row;
    in.dst_row_stride = in.row_bytes;
  } else {  // icn bytes of every pixel
    in.row_bytes = static_cast<uint32_t>(t.icn);
    in.rows = static_cast<uint32_t>(t.in_w);
    in.planes = static_cast<uint32_t>(t.in_h);
    in.src_row_stride = static_cast<uint32_t>(l.in_c);
    in.dst_row_stride = in.row_bytes;
    in.src_plane_stride = row;
    in.dst_plane_stride = static_cast<uint32_t>(t.in_w * t.icn);
  }
  return in;
}

// Issues the DMA loads tile i needs (skipping what a half already holds): the input window and the weights
// and post-scales (weight_jobs), as one descriptor list when there are several.
void LayerRun::prefetch(std::size_t i) {
  if (load_pending_) dma_.wait(load_ch_);  // the previous layer's prefetch of this layer's first chunk
  load_pending_ = false;
  const Tile& t = plan_.tiles[i];
  const AccelCaps& caps = accel_.caps();
  std::vector<DmaJob> jobs;
  bool load = false;
  in_half_of_[i] = in_halves_.place(i, plan_.item_in(t), load);
  if (load) {
    jobs.push_back(tile_input_job(
        l_, t, at_.input, at_.sram + caps.in_offset + static_cast<uint32_t>(in_half_of_[i]) * in_half_));
  }
  if (resident_) {  // every weight item has its own place: loaded the first time a tile needs it
    const std::size_t item = static_cast<std::size_t>(plan_.item_wt(t));
    load = !(*resident_loaded_)[item];
    (*resident_loaded_)[item] = true;
  } else {
    wt_half_of_[i] = wt_halves_.place(i, plan_.item_wt(t), load);
  }
  if (load) {
    const uint32_t dst = at_.sram + caps.wt_offset + weight_offset(i);
    for (const DmaJob& j : weight_jobs(l_, t, at_.weights, at_.post, dst)) jobs.push_back(j);
  }
  const DramTraffic moved = start_jobs(jobs, i % 2);
  traffic_.read += moved.read;
  traffic_.write += moved.write;
}

// Starts the loads on the load channel (one job, or a descriptor list in scratch slot `list_slot`) and
// returns the DRAM bytes they move.
DramTraffic LayerRun::start_jobs(const std::vector<DmaJob>& jobs, std::size_t list_slot) {
  DramTraffic t;
  for (const DmaJob& j : jobs) t.read += j.bytes();
  if (jobs.size() == 1) {
    dma_.start(load_ch_, jobs[0]);
  } else if (!jobs.empty()) {
    const uint32_t list = at_.scratch + static_cast<uint32_t>(list_slot) * 512;
    dma_.write_descriptors(list, jobs);
    t.write += jobs.size() * kDescBytes;  // the CPU writes the list,
    t.read += jobs.size() * kDescBytes;   // the DMA fetches it
    dma_.start_list(load_ch_, list);
  }
  load_pending_ = !jobs.empty();
  return t;
}

void LayerRun::preloaded(int weight_half, int input_half, bool loads_pending) {
  if (weight_half >= 0) wt_halves_.preload(weight_half, 0);
  if (input_half >= 0) in_halves_.preload(input_half, 0);
  first_tile_planned_ = true;  // the previous layer's run did its bookkeeping too
  load_pending_ =
      loads_pending;  // its loads may not have finished: waited for before this layer's first loads
}

void LayerRun::input_on_chip(int half, uint32_t offset) {
  in_halves_.preload(half, plan_.item_in(plan_.tiles.front()));
  on_chip_half_ = half;
  on_chip_offset_ = offset;
}

void LayerRun::weights_resident(uint32_t offset, uint32_t stride, std::vector<bool>& loaded) {
  resident_ = true;
  resident_offset_ = offset;
  resident_stride_ = stride;
  resident_loaded_ = &loaded;
}

uint32_t LayerRun::weight_offset(std::size_t i) const {
  if (resident_)
    return resident_offset_ + static_cast<uint32_t>(plan_.item_wt(plan_.tiles[i])) * resident_stride_;
  return static_cast<uint32_t>(wt_half_of_[i]) * wt_half_;
}

void LayerRun::prefetch_next_layer(const NextWeights& next) {
  has_next_ = true;
  next_ = next;
}

// During the last tile: the next layer's first chunk into the weight half the last tile does not read (and,
// streaming, the next image's first input rows into the input half it does not read).
void LayerRun::load_next_layer() {
  const std::size_t last = plan_.tiles.size() - 1;
  next_started_ = hal_.cycles();
  std::vector<DmaJob> jobs;
  if (next_.input.row_bytes > 0) {
    next_in_half_ = 1 - in_half_of_[last];
    jobs.push_back(next_.input);
    jobs.back().dst += at_.sram + accel_.caps().in_offset + static_cast<uint32_t>(next_in_half_) * in_half_;
  }
  next_half_ = next_.jobs.empty() || next_.resident ? -1 : 1 - wt_half_of_[last];
  const uint32_t half = next_half_ >= 0 ? static_cast<uint32_t>(next_half_) * wt_half_ : 0;
  for (DmaJob j : next_.jobs) {
    j.dst += at_.sram + accel_.caps().wt_offset + half;
    jobs.push_back(j);
  }
  next_loads_ = !jobs.empty();
  next_traffic_ = start_jobs(jobs, (last + 1) % 2);
  hal_.spend(per_tile_);  // the next layer's first tile's bookkeeping, while this layer's last tile runs
}

// Starts moving tile i's outputs from its output half into the HWC tensor in DRAM.
void LayerRun::drain(std::size_t i) {
  const Tile& t = plan_.tiles[i];
  const uint32_t e = l_.elem();
  DmaJob out;
  out.src = at_.sram + accel_.caps().out_offset + static_cast<uint32_t>(t.block % 2) * out_half_;
  const int out_w = l_.final_w();  // the tensor in DRAM is the pooled one when pooling is fused
  out.dst = at_.output + static_cast<uint32_t>(((t.fy0 * out_w + t.fx0) * l_.out_c + t.c0) * e);
  if (t.tc == l_.out_c) {  // whole pixels: one row of the tile is contiguous in DRAM
    out.row_bytes = static_cast<uint32_t>(t.fw * t.tc) * e;
    out.rows = static_cast<uint32_t>(t.fh);
    out.src_row_stride = out.row_bytes;
    out.dst_row_stride = static_cast<uint32_t>(out_w * l_.out_c) * e;
  } else {  // a channel slice of every pixel
    out.row_bytes = static_cast<uint32_t>(t.tc) * e;
    out.rows = static_cast<uint32_t>(t.fw);
    out.planes = static_cast<uint32_t>(t.fh);
    out.src_row_stride = out.row_bytes;
    out.src_plane_stride = static_cast<uint32_t>(t.fw * t.tc) * e;
    out.dst_row_stride = static_cast<uint32_t>(l_.out_c) * e;
    out.dst_plane_stride = static_cast<uint32_t>(out_w * l_.out_c) * e;
  }
  if (!at_.output_on_chip) traffic_.write += out.bytes();
  dma_.start(drain_ch_, out);
  drain_pending_ = true;
}

void LayerRun::wait_drain() {
  if (drain_pending_) dma_.wait(drain_ch_);
  drain_pending_ = false;
}

AccelTile LayerRun::descriptor(std::size_t i) const {
  const Tile& t = plan_.tiles[i];
  AccelTile d;
  d.in_addr =
      in_half_of_[i] == on_chip_half_ ? on_chip_offset_ : static_cast<uint32_t>(in_half_of_[i]) * in_half_;
  d.in_h = static_cast<uint32_t>(t.in_h);
  d.in_w = static_cast<uint32_t>(t.in_w);
  d.in_c = static_cast<uint32_t>(t.icn);
  d.pad_top = static_cast<uint32_t>(t.pad_t);
  d.pad_left = static_cast<uint32_t>(t.pad_l);
  d.pad_bottom = static_cast<uint32_t>(t.pad_b);
  d.pad_right = static_cast<uint32_t>(t.pad_r);
  d.kh = static_cast<uint32_t>(l_.g.kh);
  d.kw = static_cast<uint32_t>(l_.g.kw);
  d.stride_h = static_cast<uint32_t>(l_.g.stride_h);
  d.stride_w = static_cast<uint32_t>(l_.g.stride_w);
  d.out_h = static_cast<uint32_t>(t.th);
  d.out_w = static_cast<uint32_t>(t.tw);
  d.out_c = static_cast<uint32_t>(t.tc);
  d.wt_addr = weight_offset(i);
  d.q_addr = d.wt_addr + align4(uint64_t(t.tc) * l_.g.kh * l_.g.kw * t.icn);
  d.out_addr = static_cast<uint32_t>(t.block % 2) * out_half_;  // a block's slices share its output half
  d.psum_in = !t.first_slice;
  d.psum_out = !t.last_slice;
  if (!t.last_slice) return d;  // partial sums: no post-scale, ReLU or pooling yet
  d.relu = l_.relu;
  d.raw_output = l_.raw;
  d.pool_mode = l_.pool_mode;
  d.pool_k = d.pool_stride = l_.pool_mode != 0 ? static_cast<uint32_t>(l_.pool_k) : 0;
  return d;
}

// For tile i: wait for its loads, start the accelerator (its descriptor was programmed while tile i - 1 ran,
// or, for tile 0, while its loads were on their way),
// start draining tile i - 1 and loading tile i + 1, do the CPU's bookkeeping of tile i + 1 and program its
// descriptor, then wait for the accelerator and the drain. With one DMA channel the drain completes before
// the next load.
DramTraffic LayerRun::run() {
  const std::size_t n = plan_.tiles.size();
  prefetch(0);
  if (!first_tile_planned_) hal_.spend(per_tile_);
  accel_.program(descriptor(0));  // while tile 0's loads are on their way
  for (std::size_t i = 0; i < n; ++i) {
    if (load_pending_) dma_.wait(load_ch_);
    load_pending_ = false;
    accel_.start_programmed();
    if (i > 0 && plan_.tiles[i - 1].last_slice) drain(i - 1);
    if (drain_ch_ == load_ch_) wait_drain();
    if (i + 1 < n) {
      prefetch(i + 1);
      hal_.spend(per_tile_);
      accel_.program(descriptor(i + 1));
    } else if (has_next_) {
      load_next_layer();
    }
    accel_.wait();
    wait_drain();
  }
  drain(n - 1);
  wait_drain();
  return traffic_;  // the next layer's chunk may still be loading: the next LayerRun waits for it
}

}  // namespace minconv::sw
