#include "platform/soc/pe_run.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>
#include <sstream>

#include "platform/soc/golden_ahead.h"
#include "platform/soc/progress.h"

namespace minconv::platform {

namespace {

golden::PeKind golden_kind(accel::PeKind k) {
  return k == accel::PeKind::kMin ? golden::PeKind::kMin : golden::PeKind::kMul;
}

// Boot loader: weights and post-scales go to DRAM through debug transport (no simulated time).
void load_model(const PeRun& r, Loader& loader) {
  for (std::size_t l = 0; l < r.model.layers.size(); ++l) {
    const golden::QuantLayer& layer = r.model.layers[l];
    if (r.layout.weights[l] == 0) continue;
    loader.write(r.layout.weights[l], layer.weights.data(), layer.weights.size());
    const std::vector<uint8_t> post = sw::post_scale_bytes(layer);
    loader.write(r.layout.post[l], post.data(), post.size());
  }
}

// Value k of a layer output as the SoC left it in DRAM (int8, or little-endian int32 for the raw layer).
int64_t element(const std::vector<uint8_t>& got, bool raw, std::size_t k) {
  if (!raw) return static_cast<int8_t>(got[k]);
  int32_t v = 0;
  std::memcpy(&v, got.data() + 4 * k, 4);
  return v;
}

// "" if every layer's output equals the golden model's, else the first difference: in DRAM, or as the
// runtime's snapshot when it stayed on chip for the next layer. A conv whose output was pooled on chip has
// none: the pooled tensor (the next layer's) is checked.
std::string compare_outputs(const PeRun& run, const sw::RunReport& report,
                            const std::vector<golden::LayerOutput>& want, Loader& loader) {
  for (std::size_t i = 0; i < run.model.layers.size(); ++i) {
    const sw::LayerReport& l = report.layers[i];
    if (!l.output_in_dram && !l.output_on_chip) continue;
    const bool raw = want[i].is_raw;
    // An output kept on chip for the next layer: the runtime's probe snapshot of it.
    const std::vector<uint8_t> got =
        l.output_on_chip ? l.on_chip_output : loader.read(run.layout.outputs[i], run.layout.output_bytes[i]);
    const std::size_t n = raw ? want[i].raw.size() : want[i].q.size();
    for (std::size_t k = 0; k < n; ++k) {
      const int64_t g = element(got, raw, k);
      const int64_t w = raw ? want[i].raw.data[k] : want[i].q.data[k];
      if (g != w) {
        std::ostringstream s;
        s << "layer '" << run.model.layers[i].name << "' element " << k << ": simulated " << g << ", golden "
          << w;
        return s.str();
      }
    }
  }
  return "";
}

// The class the SoC's own logits say (the raw int32 output of the last layer, dequantized).
int soc_prediction(const PeRun& run, Loader& loader) {
  const std::size_t last = run.model.layers.size() - 1;
  const std::vector<uint8_t> got = loader.read(run.layout.outputs[last], run.layout.output_bytes[last]);
  golden::Tensor32 raw(1, 1, run.model.layers[last].out_c);
  raw.data.resize(got.size() / 4);
  std::memcpy(raw.data.data(), got.data(), raw.data.size() * 4);
  return golden::argmax(golden::dequantize_logits(run.model, raw));
}

}  // namespace

const char* kind_name(accel::PeKind k) { return k == accel::PeKind::kMin ? "min" : "mul"; }

PeRun prepare_pe_run(accel::PeKind kind, const Workload& workload, const std::vector<golden::TensorF>& calib,
                     const SocConfig& config, int threads, const CalibrationCache& cache) {
  const auto t0 = std::chrono::steady_clock::now();
  PeRun run;
  run.kind = kind;
  const bool min = kind == accel::PeKind::kMin;
  const golden::FloatNetwork net = workload.network_for(min);
  const golden::FloatMode mode = min ? golden::FloatMode::kMinConv : golden::FloatMode::kStandard;
  const golden::Calibration cal = calibrate_cached(cache, net, calib, mode, threads, &run.calibration_cached);
  run.model = golden::quantize(net, cal, golden_kind(kind));
  run.layout = sw::plan_layout(run.model, config.map.dram, static_cast<uint32_t>(config.dram.size));
  run.prepare_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return run;
}

void build_soc(PeRun& run, const SocConfig& config, const ImageSet& images, const ProgramOptions& options) {
  run.batch = std::max(1u, options.batch);
  if (run.batch > 1 && run.layout.second_input == 0) {
    run.layout = sw::plan_layout(run.model, config.map.dram, static_cast<uint32_t>(config.dram.size), true);
  }
  PeRun* r = &run;
  const hal::SocInfo info = config.soc_info();
  const sw::RuntimeOptions runtime_options = config.runtime;
  const ImageSet* set = &images;
  run.soc = std::make_unique<Soc>(
      (std::string("soc_") + kind_name(run.kind)).c_str(), config,
      [r, info, runtime_options, set, options](hal::Hal& hal) {
        Loader& loader = r->soc->loader();
        load_model(*r, loader);
        const auto t0 = std::chrono::steady_clock::now();
        sw::NetworkRuntime runtime(hal, info, sw::CpuCosts{}, runtime_options);
        Progress progress(std::string("minconv-sim: ") + kind_name(r->kind), "images", set->images.size(),
                          options.quiet);
        GoldenAhead golden(r->model, set->images, options.threads > 1 ? options.threads - 1 : 0);
        const std::size_t n = set->images.size();
        uint64_t stream_start = 0;
        for (std::size_t k = 0; k < n; ++k) {
          // Image k is at position `pos` of its stream; the images of a stream alternate between two input
          // slots, and the next image is placed (as a loader would) before this one's last layer loads it.
          const std::size_t pos = k % r->batch;
          const bool streamed_next = pos + 1 < r->batch && k + 1 < n;
          const uint32_t slot = pos % 2 == 0 ? r->layout.input : r->layout.second_input;
          const uint32_t other = pos % 2 == 0 ? r->layout.second_input : r->layout.input;
          if (pos == 0) {
            const golden::Tensor8 qin = golden.input(k);
            loader.write(slot, qin.data.data(), qin.size());
          }
          if (streamed_next) {
            const golden::Tensor8 qnext = golden.input(k + 1);
            loader.write(other, qnext.data.data(), qnext.size());
          }
          if (options.image_hook) options.image_hook(k, true);
          const sw::RunReport report = runtime.run_image(
              r->model, r->layout, slot, streamed_next ? std::optional<uint32_t>(other) : std::nullopt);
          if (options.image_hook) options.image_hook(k, false);
          if (k == 0) r->report = report;
          if (pos == 0) stream_start = report.start_cycle;
          if (!streamed_next) r->stream_cycles += report.end_cycle - stream_start;
          r->image_cycles.push_back(report.end_cycle - report.start_cycle);
          for (const sw::LayerReport& l : report.layers) r->accel_busy += l.accel.busy;
          const std::string diff = compare_outputs(*r, report, golden.take(k), loader);
          if (!diff.empty()) {
            r->mismatch = "image " + std::to_string(set->first + k) + ", " + diff;
            break;
          }
          r->predicted.push_back(soc_prediction(*r, loader));
          r->correct += r->predicted.back() == set->labels[k] ? 1 : 0;
          r->images_run = static_cast<unsigned>(k + 1);
          progress.update(k + 1);
        }
        progress.finish();
        r->host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return 0;
      });
}

}  // namespace minconv::platform
