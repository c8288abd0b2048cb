#pragma once
// One conv/fc layer on the accelerator, tile by tile: which ping-pong half of each buffer a tile reads
// (buffer placement) and the DMA and accelerator choreography around it (loads of tile i+1 and the drain of
// tile i-1 overlap the computation of tile i). The tiles come from plan_tiles (sw/runtime/tile_plan.h).
#include <cstdint>
#include <vector>

#include "sw/driver/accel_driver.h"
#include "sw/driver/dma_driver.h"
#include "sw/hal/hal.h"
#include "sw/runtime/half_tracker.h"
#include "sw/runtime/tile_plan.h"

namespace minconv::sw {

// Where the layer's tensors are in DRAM, and the scratch area for DMA descriptor lists.
struct LayerAddresses {
  uint32_t input = 0, weights = 0, post = 0, output = 0, scratch = 0;
  uint32_t sram = 0;  // the accelerator's SRAM window on the bus
  // Output reuse: `output` is a region of the accelerator's input buffer (a bus address in the SRAM window)
  // where the next layer reads the tensor; the drains move no DRAM bytes.
  bool output_on_chip = false;
};

struct DramTraffic {
  uint64_t read = 0, write = 0;
};

// The DMA jobs that load tile t's weights into the weight half at SRAM bus address `dst`: its filters (of a
// slice, input channels ic0 .. ic0 + icn - 1: a 3-D strided job) from DRAM `weights`, then, on the last
// slice, its post-scale records from DRAM `post` after them.
std::vector<DmaJob> weight_jobs(const LayerShape& l, const Tile& t, uint32_t weights, uint32_t post,
                                uint32_t dst);

// The first weight chunk of the next layer (and its post-scale records), loaded during this layer's last
// tile into the weight half that tile does not read, so the next layer starts without waiting for it: its
// weight_jobs with dst 0 (LayerRun adds the half's address).
struct NextWeights {
  std::vector<DmaJob> jobs;
  // Batch streaming: the next layer is the next image's first layer, whose input is already in DRAM; its
  // first tile's input (tile_input_job; dst is the offset in the input half) goes into the input half the
  // last tile does not read. row_bytes == 0: no input (the next layer's input is this layer's output).
  DmaJob input;
  // Weight sharing: the jobs' dst are offsets in the weight buffer (the layer's resident place), not in a
  // half.
  bool resident = false;
};

// The DMA job that loads tile `t`'s input window of layer `l` (its slice of channels: a 3-D strided job) from
// the HWC tensor at `input` to `dst`.
DmaJob tile_input_job(const LayerShape& l, const Tile& t, uint32_t input, uint32_t dst);

class LayerRun {
 public:
  LayerRun(hal::Hal& hal, DmaDriver& dma, AccelDriver& accel, const LayerShape& layer, const TilePlan& plan,
           const LayerAddresses& at, uint32_t per_tile_cpu_cycles);
  // The weight half that holds (or is being loaded with, on the load channel) chunk 0 of this layer: the
  // previous layer's run started that load; this run waits for it before its own first loads. input_half
  // (batch streaming, >= 0): the input half that likewise holds tile 0's input rows.
  void preloaded(int weight_half, int input_half, bool loads_pending);
  // Output reuse: the layer's whole input is already in the input buffer at `offset` (from the buffer's
  // start), in input half `half`; its single input block is never loaded.
  void input_on_chip(int half, uint32_t offset);
  // Weight sharing across a stream's images: weight item k (a chunk of filters, or a slice of one, with its
  // post-scale records) lives at offset + k * stride in the weight buffer instead of the ping-pong halves;
  // `loaded[k]` says whether an earlier tile (of this image or an earlier one) loaded it (kept up to date).
  void weights_resident(uint32_t offset, uint32_t stride, std::vector<bool>& loaded);
  // Loads `next` during the last tile (see NextWeights).
  void prefetch_next_layer(const NextWeights& next);
  // Runs every tile; returns the DRAM bytes its DMA jobs (and descriptor lists) moved for this layer.
  DramTraffic run();
  // After run(): where the next layer's chunk is (-1: none was loaded) and the bytes that moved it.
  int next_weight_half() const { return next_half_; }
  bool next_layer_planned() const { return has_next_; }    // the next layer's first-tile bookkeeping is done
  bool next_loads_started() const { return next_loads_; }  // ... and loads for it were started
  int next_input_half() const { return next_in_half_; }    // -1: no input rows were loaded
  uint64_t next_load_cycle() const { return next_started_; }  // CPU cycle the next layer's loads began
  const DramTraffic& next_traffic() const { return next_traffic_; }

 private:
  void prefetch(std::size_t i);
  void load_next_layer();
  DramTraffic start_jobs(const std::vector<DmaJob>& jobs, std::size_t list_slot);
  void drain(std::size_t i);
  void wait_drain();
  AccelTile descriptor(std::size_t i) const;
  uint32_t weight_offset(std::size_t i) const;  // where tile i's weights are in the weight buffer

  hal::Hal& hal_;
  DmaDriver& dma_;
  AccelDriver& accel_;
  const LayerShape& l_;
  const TilePlan& plan_;
  LayerAddresses at_;
  uint32_t per_tile_;
  uint32_t in_half_, wt_half_, out_half_;
  HalfTracker in_halves_, wt_halves_;
  std::vector<int> in_half_of_, wt_half_of_;
  unsigned load_ch_ = 0, drain_ch_ = 0;
  bool load_pending_ = false, drain_pending_ = false;
  DramTraffic traffic_;
  bool has_next_ = false;
  bool first_tile_planned_ = false;
  NextWeights next_;
  int next_half_ = -1;
  bool next_loads_ = false;
  bool resident_ = false;  // weights_resident
  uint32_t resident_offset_ = 0, resident_stride_ = 0;
  std::vector<bool>* resident_loaded_ = nullptr;
  int on_chip_half_ = -1;  // input_on_chip: the half and offset of the input
  uint32_t on_chip_offset_ = 0;
  int next_in_half_ = -1;
  uint64_t next_started_ = 0;
  DramTraffic next_traffic_;
};

}  // namespace minconv::sw
