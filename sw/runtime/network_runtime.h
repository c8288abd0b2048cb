#pragma once
// Runs a quantized network on the SoC: conv and fc layers on the accelerator (tiled to the buffer sizes the
// hardware reports, moved by the DMA, double-buffered), pooling fused into the accelerator's output path
// where the hardware can (else on the CPU). Reaches hardware only
// through the HAL.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sw/driver/accel_driver.h"
#include "sw/driver/dma_driver.h"
#include "sw/driver/irq.h"
#include "sw/golden/network.h"
#include "sw/hal/hal.h"
#include "sw/hal/soc_info.h"
#include "sw/runtime/layer_run.h"
#include "sw/runtime/model_layout.h"
#include "sw/runtime/runtime_options.h"
#include "sw/runtime/tile_plan.h"

namespace minconv::sw {

// CPU cost model of the operations the CPU stub executes (cycles), on top of its timed loads and stores.
struct CpuCosts {
  uint32_t per_pool_operand = 1;  // one compare or add per window element
  uint32_t per_output = 2;        // loop overhead and the store of one output element
  uint32_t per_tile = 200;        // tiling arithmetic, descriptor set-up, bookkeeping of one tile
};

struct LayerReport {
  std::string name;
  std::string type;       // conv, fc, maxpool, avgpool
  bool on_accel = false;  // conv/fc and fused pools on the accelerator, other pools on the CPU
  bool fused = false;     // a pool that ran inside the previous conv layer's tiles (its figures are there)
  bool output_in_dram = true;  // false: a conv whose output was pooled on chip, or an output kept on chip
  // Output reuse: the output stayed in the accelerator's input buffer for the next layer, never in DRAM; a
  // debug-probe snapshot of it (no bus time) taken when the layer ended, for checking.
  bool output_on_chip = false;
  std::vector<uint8_t> on_chip_output;
  uint64_t macs = 0;
  uint64_t cpu_cycles = 0;  // wall time of the layer in CPU cycles
  uint64_t dram_read_bytes = 0;
  uint64_t dram_write_bytes = 0;
  uint64_t tiles = 0;
  AccelCounters accel;  // counter deltas over the layer
  // Tiling chosen: output rows x cols x channels per tile, and the loop order.
  uint32_t tile_h = 0, tile_w = 0, tile_c = 0;
  uint32_t tile_ic = 0,
           slices = 1;  // input channels per slice, slices per output block (reduction splitting)
  bool weights_outer = false;
};

struct RunReport {
  std::vector<LayerReport> layers;
  AccelCaps caps;
  // CPU cycles: the image's first load was issued (streamed: during the previous image's last tile) and its
  // last output was written. end_cycle - start_cycle is the image's latency.
  uint64_t start_cycle = 0, end_cycle = 0;
};

class NetworkRuntime {
 public:
  NetworkRuntime(hal::Hal& hal, const hal::SocInfo& soc, CpuCosts costs = {}, RuntimeOptions options = {});

  const AccelCaps& caps() const { return accel_.caps(); }
  // Runs every layer; layer i reads the previous output (or layout.input) and writes layout.outputs[i].
  // `progress` (optional) is called after each layer. Throws AccelError, DmaError or std::runtime_error.
  RunReport run(const golden::QuantModel& model, const ModelLayout& layout,
                const std::function<void(const LayerReport&)>& progress = {});
  // Batch streaming (docs/runtime.md): runs one image of a stream, its input at `input`. With `next_input`,
  // the next image's first layer's first tile (its input rows from next_input and its weight chunk) is loaded
  // during this image's last tile, and the next call, which must be for input == next_input, starts from it.
  // Throws std::logic_error if the previous call streamed another input than `input`.
  RunReport run_image(const golden::QuantModel& model, const ModelLayout& layout, uint32_t input,
                      std::optional<uint32_t> next_input,
                      const std::function<void(const LayerReport&)>& progress = {});

 private:
  bool can_fuse_pool(const golden::QuantLayer& conv, const golden::QuantLayer& pool,
                     const golden::Shape& conv_out) const;
  // Refuses a layer the accelerator cannot run (kernel, stride, padding, reduction length).
  void check_layer(const LayerShape& layer) const;
  // Layer i (conv/fc) as the planner sees it, with the pool after it fused when the hardware can.
  LayerShape layer_shape(const golden::QuantModel& model, const std::vector<golden::Shape>& shapes,
                         std::size_t i, const golden::Shape& in) const;
  // The planner's view of the accelerator; the layer's first weight chunk loads during the previous layer's
  // last tile, which lasts `preload_hidden_cycles` (0: no such load).
  // `resident`: the weights stay in the weight buffer for a whole stream (weight sharing).
  BufferHalves halves(double preload_hidden_cycles, bool resident = false) const;
  // plan_tiles, computed once per distinct layer and planner view (the search takes longer than a LeNet-5
  // layer's simulation) and reused for every image.
  TilePlan cached_plan(const LayerShape& g, const BufferHalves& h) const;
  // A layer's plan and the prefetch of its first weight chunk by the layer before.
  struct NextLayer {
    TilePlan plan;
    NextWeights weights;
  };
  // `input` (streaming, non-zero): also tile 0's input of layer i from the tensor there.
  bool plan_next(const LayerShape& current, const TilePlan& plan, const LayerShape& g,
                 const ModelLayout& layout, std::size_t i, NextLayer& next, bool prefetched,
                 uint32_t input = 0) const;
  // Where an on-chip tensor is: input half and offset from the input buffer's start (half -1: in DRAM).
  struct OnChip {
    int half = -1;
    uint32_t offset = 0;
  };
  // Output reuse (RuntimeOptions::reuse_outputs): where the current layer (`g`, planned as `plan`) may leave
  // its output for the next one (`next`, planned as `next_plan`), if it may.
  std::optional<OnChip> reuse_target(const LayerShape& g, const TilePlan& plan, const LayerShape& next,
                                     const TilePlan& next_plan) const;
  std::vector<uint8_t> probe_tensor(uint32_t address, uint64_t bytes) const;
  // One image's fixed inputs, for the per-layer steps.
  struct ImageRun {
    const golden::QuantModel& model;
    const std::vector<golden::Shape>& shapes;
    const ModelLayout& layout;
    std::optional<uint32_t> next_input;
  };
  // The current layer's plan and, for the layer after it (`next_shape`, null if it is not a conv/fc), its
  // plan and what the current layer prefetches of it (or of the next image's first layer, streaming).
  struct StepPlan {
    TilePlan plan;
    NextLayer next;
    bool planned = false, prefetch = false;
  };
  StepPlan plan_step(const ImageRun& img, const LayerShape& g, const LayerShape* next_shape,
                     std::size_t next);
  // Weight sharing: where layer i's weight items live in the weight buffer for a whole stream, item k at
  // offset + k * stride (offset -1: not a conv/fc layer), and which are loaded.
  struct Resident {
    int64_t offset = -1;
    uint32_t stride = 0;
    std::vector<bool> loaded;
  };
  void resident_prefetch(StepPlan& s, std::size_t next);
  std::vector<Resident> plan_resident(const golden::QuantModel& model,
                                      const std::vector<golden::Shape>& shapes);
  Resident* resident(std::size_t i) {
    return i < resident_.size() && resident_[i].offset >= 0 ? &resident_[i] : nullptr;
  }
  // Runs conv/fc layer i (and the pool fused into it) reading `input`: its report, and the fused pool's.
  std::vector<LayerReport> run_accel_step(const ImageRun& img, std::size_t i, uint32_t input,
                                          const golden::Shape& in_shape);
  void run_accel_layer(const LayerShape& layer, const TilePlan& plan, const LayerAddresses& at,
                       const NextWeights* next, LayerReport& report, Resident* resident);
  void run_pool_layer(const golden::QuantLayer& layer, const golden::Shape& in, const golden::Shape& out,
                      uint32_t input, uint32_t output, LayerReport& report);

  hal::Hal& hal_;
  hal::SocInfo soc_;
  CpuCosts costs_;
  RuntimeOptions options_;
  IrqDispatcher irq_;
  DmaDriver dma_;
  AccelDriver accel_;
  mutable std::map<std::string, TilePlan> plans_;  // cached_plan()
  bool next_bookkept_ = false;     // the previous layer did the next layer's first-tile bookkeeping
  bool next_loads_ = false;        // ... and started loads for it
  int preloaded_half_ = -1;        // weight half holding the next layer's first chunk, or -1
  DramTraffic preloaded_traffic_;  // the bytes that loaded it (counted to the layer that uses them)
  // Batch streaming: the input half holding the next image's first input rows (-1: none), that image's
  // input address, and the CPU cycle its loads began.
  int preloaded_input_half_ = -1;
  uint32_t streamed_input_ = 0;
  uint64_t streamed_since_ = 0;
  std::optional<NextLayer> next_plan_;  // the next layer's plan, when the running one planned it
  OnChip on_chip_input_;                // the running layer's input, when the previous one left it on chip
  std::vector<Resident> resident_;      // per layer, while a stream shares its weights (else empty)
};

}  // namespace minconv::sw
