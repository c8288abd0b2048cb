#pragma once
// One PE kind's part of a workload job: the int8 model quantized for it, where the model lives in DRAM, the
// SoC that runs it, and what the SoC computed. The SoC's program runs every test image through the driver,
// the DMA and the accelerator, and checks each image's outputs, layer by layer, against the golden int8
// model.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "platform/soc/calibration_cache.h"
#include "platform/soc/soc.h"
#include "platform/soc/workload.h"
#include "sw/runtime/model_layout.h"
#include "sw/runtime/network_runtime.h"

namespace minconv::platform {

struct PeRun {
  accel::PeKind kind = accel::PeKind::kMin;
  golden::QuantModel model;
  sw::ModelLayout layout;
  std::unique_ptr<Soc> soc;
  sw::RunReport report;        // the first image's per-layer report (timing does not depend on the data)
  std::string mismatch;        // first difference against the golden model ("image i, layer ..."), or empty
  std::vector<int> predicted;  // class of each image, from the SoC's own logits
  unsigned images_run = 0;     // images the SoC finished
  unsigned correct = 0;        // images whose predicted class is their label
  double host_seconds = 0;     // host time of the SoC program (simulation and golden checks)
  double prepare_seconds = 0;  // host time of calibration, quantization and layout
  bool calibration_cached = false;  // the calibration came from the cache
  // Batch streaming (--batch, docs/runtime.md). CPU cycles.
  unsigned batch = 1;  // images per stream
  std::vector<uint64_t>
      image_cycles;  // each image's latency: its first load issued to its last output written
  uint64_t stream_cycles =
      0;                    // sum over the streams: first load of its first image to last output of its last
  uint64_t accel_busy = 0;  // accelerator busy cycles (its own clock) over every image

  double accuracy() const { return images_run > 0 ? double(correct) / images_run : 0.0; }
};

const char* kind_name(accel::PeKind k);

// Calibrates (on `threads`, through `cache`) and quantizes the workload's network for `kind` and plans its
// DRAM layout on `config`. The result does not depend on the number of threads or on the cache.
PeRun prepare_pe_run(accel::PeKind kind, const Workload& workload, const std::vector<golden::TensorF>& calib,
                     const SocConfig& config, int threads = 1,
                     const CalibrationCache& cache = CalibrationCache());

// Options of the SoC program.
struct ProgramOptions {
  bool quiet = false;  // no progress output
  // Called at the start (begin = true) and at the end of each image k, from the program (e.g. to trace it).
  std::function<void(std::size_t k, bool begin)> image_hook;
  int threads = 1;  // > 1: the golden model checks the images on threads - 1 worker threads (GoldenAhead)
  // Images per stream (--batch): the images run in streams of `batch` (the last one may be shorter); within a
  // stream the next image's first loads overlap the current image's last tile (NetworkRuntime::run_image).
  unsigned batch = 1;
};

// Builds run.soc (named soc_<kind>) with a program that loads the model and runs `images` one after the
// other (in streams of options.batch); `images` must outlive the simulation. With a batch above 1 the
// layout gets its second input slot (ModelLayout::second_input).
void build_soc(PeRun& run, const SocConfig& config, const ImageSet& images, const ProgramOptions& options);

}  // namespace minconv::platform
