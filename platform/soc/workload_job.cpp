#include "platform/soc/workload_job.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "platform/soc/pe_run.h"
#include "platform/soc/simulation.h"
#include "platform/soc/trace_session.h"
#include "platform/soc/workload_report.h"
#include "sw/runtime/model_layout.h"

namespace minconv::platform {

namespace {

// --vcd: one trace file for every SoC of the run (hierarchical names), opened before the simulation starts.
// SystemC appends ".vcd" to the name it is given; a path without that suffix is renamed after closing.
struct VcdFile {
  std::string path;
  sc_core::sc_trace_file* file = nullptr;
  static bool has_suffix(const std::string& p) {
    return p.size() > 4 && p.compare(p.size() - 4, 4, ".vcd") == 0;
  }
  void open(const std::string& p, const std::vector<PeRun>& runs) {
    path = p;
    file = sc_core::sc_create_vcd_trace_file((has_suffix(p) ? p.substr(0, p.size() - 4) : p).c_str());
    for (const PeRun& r : runs) {
      r.soc->trace(file);
      r.soc->accel()->trace_engine(file);  // the RTL engine: clock + array ports
    }
  }
  bool close() {
    if (file == nullptr) return true;
    sc_core::sc_close_vcd_trace_file(file);
    file = nullptr;
    return has_suffix(path) || std::rename((path + ".vcd").c_str(), path.c_str()) == 0;
  }
};

// --cosim: "co-simulation: N folds, ..." from the RTL engine's counters (none for the C++ engine).
bool print_cosim_line(const PeRun& r) {
  const nlohmann::json c = r.soc->accel()->engine_stats();
  if (c.is_null()) return true;
  const uint64_t mismatches = c["mismatches"];
  std::printf("%s: co-simulation: %llu folds, %llu array cycles, %.0f cycles per host second, %s\n",
              kind_name(r.kind), static_cast<unsigned long long>(c["folds"].get<uint64_t>()),
              static_cast<unsigned long long>(c["array_cycles"].get<uint64_t>()),
              c["cycles_per_host_second"].get<double>(),
              mismatches == 0 ? "all tiles bit-exact and cycle-exact with the C++ engine"
                              : (std::to_string(mismatches) + " tiles MISMATCH the C++ engine").c_str());
  return mismatches == 0;
}

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) std::cerr << "minconv-sim: error: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

// The SoC configuration of one run: its PE kind, and the baseline array for the multiplier in comparisons.
SocConfig config_for(const SocConfig& config, accel::PeKind kind, bool compare) {
  SocConfig c = config;
  c.accel->pe = kind;
  if (compare && kind == accel::PeKind::kMul) {  // iso-area comparisons give mul its own array
    c.accel->rows = config.baseline_rows;
    c.accel->cols = config.baseline_cols;
  }
  return c;
}

void say(const RunOptions& options, const std::string& s) {
  if (!options.quiet) std::cout << "minconv-sim: " << s << "\n" << std::flush;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The test images and, per PE kind, the calibrated and quantized model and its SoC. The SoCs' programs refer
// to `images` and to their PeRun: a Job must outlive the simulation and its runs must not move.
struct Job {
  ImageSet images;
  std::vector<PeRun> runs;
  double load_seconds = 0;            // reading (or generating) the test and calibration images
  std::optional<TraceSession> trace;  // --trace
};

void prepare_job(Job& job, const SocConfig& config, const Workload& workload, const WorkloadOptions& wopt,
                 const RunOptions& options) {
  say(options, "workload " + workload.name + " (" + workload.source + ") on " + config.source + ", " +
                   std::to_string(workload.image_count) + " " + workload.images + " image(s)");
  const auto t0 = std::chrono::steady_clock::now();
  job.images = workload.test_images();
  const std::vector<golden::TensorF> calib = workload.calibration_set();
  job.load_seconds = seconds_since(t0);
  std::vector<accel::PeKind> kinds = {config.accel->pe};
  if (wopt.compare) kinds = {accel::PeKind::kMin, accel::PeKind::kMul};
  const CalibrationCache cache(options.cache_dir);
  for (accel::PeKind kind : kinds) {
    say(options, std::string("calibrating and quantizing for the ") + kind_name(kind) + " accelerator");
    job.runs.push_back(prepare_pe_run(kind, workload, calib, config_for(config, kind, wopt.compare),
                                      options.threads, cache));
    if (job.runs.back().calibration_cached)
      say(options, "  (calibration from the cache in " + cache.dir() + ")");
  }
  // Each SoC's program refers to its PeRun: build them once the vector no longer moves.
  if (!options.trace.path.empty()) job.trace.emplace(options.trace);
  for (PeRun& r : job.runs) {
    ProgramOptions program;
    program.quiet = options.quiet;
    program.threads = options.threads;
    program.batch = options.batch;
    if (job.trace) {
      std::optional<TraceSession>& trace = job.trace;
      program.image_hook = [&trace, &r](std::size_t k, bool begin) { trace->on_image(*r.soc, k, begin); };
    }
    build_soc(r, config_for(config, r.kind, wopt.compare), job.images, program);
    if (job.trace) job.trace->attach(*r.soc);
  }
}

// "host time: images .. s, calibration min .. s, mul .. s, simulation min .. s, mul .. s, total .. s".
void print_host_phases(const Job& job, double total, int threads) {
  std::printf("host time: images %.3f s, calibration", job.load_seconds);
  for (const PeRun& r : job.runs)
    std::printf(" %s %.3f s%s", kind_name(r.kind), r.prepare_seconds,
                r.calibration_cached ? " (cached)" : "");
  std::printf(", simulation");
  for (const PeRun& r : job.runs) std::printf(" %s %.3f s", kind_name(r.kind), r.host_seconds);
  std::printf(", total %.3f s on %d thread%s\n", total, threads, threads == 1 ? "" : "s");
}

}  // namespace

unsigned parse_batch(const std::string& text, unsigned images) {
  const auto bad = [](const std::string& why) { throw config::ConfigError("--batch: error: " + why); };
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(text) == 0) {
    bad("expected a positive number of images, got '" + text + "'");
  }
  const unsigned long n = std::stoul(text);
  if (n > images) {
    bad("a batch of " + text + " images, but the run has " + std::to_string(images) + " image" +
        (images == 1 ? "" : "s") + " (--images, or the workload's images.count)");
  }
  return static_cast<unsigned>(n);
}

WorkloadLimits workload_limits(const SocConfig& config, bool compare) {
  WorkloadLimits l;
  l.max_kernel = accel::kMaxKernelSide;
  l.max_stride = accel::kMaxStrideValue;
  if (config.accel) {
    l.input_half_bytes = config.accel->input_buffer_bytes / 2;
    l.weight_half_bytes = config.accel->weight_buffer_bytes / 2;
    l.output_half_bytes = config.accel->output_buffer_bytes / 2;
  }
  l.dram_bytes = config.dram.size > sw::kScratchBytes ? config.dram.size - sw::kScratchBytes : 0;
  const bool min_only = !compare && config.accel && config.accel->pe == accel::PeKind::kMin;
  l.max_fan_in = golden::max_reduction(min_only ? golden::PeKind::kMin : golden::PeKind::kMul);
  l.fan_in_pe = min_only ? "min" : "mul";
  return l;
}

int run_workload_job(const SocConfig& config, const Workload& workload, const WorkloadOptions& wopt,
                     const RunOptions& options) {
  if (!config.accel) {
    std::cerr << "minconv-sim: error: " << config.source
              << " has no accel section: a workload needs the accelerator\n";
    return kExitConfig;
  }
  const auto t0 = std::chrono::steady_clock::now();
  Job job;
  prepare_job(job, config, workload, wopt, options);
  std::vector<PeRun>& runs = job.runs;
  std::optional<TraceSession>& trace = job.trace;
  VcdFile vcd;
  if (!options.vcd_path.empty()) vcd.open(options.vcd_path, runs);
  say(options, "simulating");
  std::vector<Soc*> socs;
  for (PeRun& r : runs) socs.push_back(r.soc.get());
  std::string why;
  const bool finished = run_in_sequence(socs, why);
  if (!vcd.close()) {
    std::cerr << "minconv-sim: error: cannot write " << options.vcd_path << "\n";
    return kExitFailed;
  }
  if (trace && !trace->close(options.quiet)) return kExitFailed;  // also when the run failed: it shows why
  if (!finished) {
    std::cerr << "minconv-sim: error: " << why << "\n";
    return kExitFailed;
  }
  for (PeRun& r : runs) {
    if (r.soc->cpu().exit_code() != 0) {
      std::cerr << "minconv-sim: error: " << r.soc->name() << ": " << r.soc->cpu().failure() << "\n";
      return kExitFailed;
    }
  }
  print_report(runs, config, workload);
  bool ok = error_count() == 0;
  for (const PeRun& r : runs) ok = print_cosim_line(r) && ok && r.mismatch.empty();
  print_host_phases(job, seconds_since(t0), options.threads);
  if (!options.report_path.empty())
    ok = write_text(options.report_path, report_json(runs, config, workload).dump(2) + "\n") && ok;
  if (!wopt.csv_path.empty()) ok = write_text(wopt.csv_path, report_csv(runs, config)) && ok;
  return ok ? kExitOk : kExitFailed;
}

}  // namespace minconv::platform
