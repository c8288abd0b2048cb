// minconv-sim: the MinConv SoC virtual platform's command line.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "platform/config/yaml_map.h"
#include "platform/soc/calibration_cache.h"
#include "platform/soc/output_paths.h"
#include "platform/soc/run_options.h"
#include "platform/soc/selftest_job.h"
#include "platform/soc/simulation.h"
#include "platform/soc/soc_config.h"
#include "platform/soc/sweep/sweep_run.h"
#include "platform/soc/trace_session.h"
#include "platform/soc/workload_job.h"
#include "sw/golden/parallel.h"

namespace {
// The SystemC banner is printed before sc_main runs: turn it off during static initialisation.
const bool kQuietBanner = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0;

using namespace minconv::platform;

struct SweepArgs {
  std::string file, emit_dir, merge_dir;
  minconv::platform::sweep::Options options;
};

struct Args {
  std::string config_path, workload_path, images, batch, model_path, trace_path;
  TraceFlags trace;
  WorkloadOptions wopt;
  RunOptions options;
  bool selftest = false, print_default = false, cosim = false;
};

CLI::App* add_sweep(CLI::App& app, SweepArgs& s) {
  CLI::App* sw = app.add_subcommand("sweep",
                                    "design-space sweep (docs/sweeps.md): every point of SWEEP.yaml's axes "
                                    "is its own minconv-sim process;\n"
                                    "results.csv (one row per point) and gnuplot plots in the output folder");
  sw->add_option("file", s.file, "the sweep YAML (configs/sweeps/*.yaml)")->required();
  sw->add_option("-o,--out", s.options.out_dir, "output folder (default: ./<sweep name>)");
  sw->add_option("-j,--jobs", s.options.jobs, "points run in parallel (default: the number of cores)")
      ->check(CLI::Range(1, 256));
  sw->add_option(
      "--emit-jobs", s.emit_dir,
      "write the points and their commands into DIR (commands.txt for GNU parallel, slurm.sh for a\n"
      "SLURM job array) instead of running them");
  sw->add_option("--merge", s.merge_dir,
                 "gather the per-point results in DIR into results.csv and the plots");
  sw->add_flag("-q,--quiet", s.options.quiet, "no progress messages");
  return sw;
}

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "minconv-sim";
}

int run_sweep(SweepArgs& s) {
  namespace sw = minconv::platform::sweep;
  const sw::Spec spec = sw::Spec::load_file(s.file);
  s.options.self_exe = self_exe();
  if (!s.emit_dir.empty() && !s.merge_dir.empty()) {
    throw minconv::config::ConfigError("minconv-sim: error: sweep: --emit-jobs and --merge are two steps");
  }
  if (!s.emit_dir.empty()) {
    s.options.out_dir = s.emit_dir;
    const std::string dir = sw::prepare(spec, s.options);
    std::cout << "minconv-sim sweep " << spec.name << ": " << spec.point_count() << " point commands in "
              << dir << "/commands.txt; run them with `parallel < " << dir
              << "/commands.txt` or `sbatch --array=1-" << spec.point_count() << " " << dir
              << "/slurm.sh`, then `minconv-sim sweep " << s.file << " --merge " << dir << "`\n";
    return kExitOk;
  }
  if (!s.merge_dir.empty()) {
    s.options.out_dir = s.merge_dir;
    return sw::merge(spec, s.options);
  }
  return sw::run(spec, s.options);
}

// --trace and its --trace-* flags (docs/trace.md); the values are checked by parse_trace_flags.
void add_trace_options(CLI::App& app, Args& a) {
  app.add_option("--trace", a.trace_path,
                 "write a timeline trace (Chrome trace-event JSON; open it at ui.perfetto.dev or\n"
                 "chrome://tracing; docs/trace.md): one process per SoC with tracks for the CPU (images,\n"
                 "layers, driver steps, interrupt waits), each DMA channel (jobs), the accelerator (tiles)\n"
                 "and counters (DRAM, bus, DMA, accelerator busy %; DRAM and bus GB/s)");
  app.add_option("--trace-detail", a.trace.detail,
                 "layers|tiles|folds: what the trace holds (default tiles): layers = CPU images, layers and\n"
                 "the counters; tiles adds DMA jobs, accelerator tiles, CPU driver steps and waits; folds\n"
                 "adds every fold of every tile and every DMA descriptor (large for big networks)");
  app.add_option("--trace-limit", a.trace.limit,
                 "N: write at most N slices (default 1000000, about 100 MB); later ones are left out with\n"
                 "a warning");
  app.add_option("--trace-images", a.trace.images,
                 "N|all: images traced per PE kind, from the first (default 1: with --images N only the\n"
                 "first image is traced)");
  app.add_option("--trace-window", a.trace.window,
                 "US: window of simulated time over which the counters are summed (default 1 us; widened\n"
                 "if a counter would need more than 20000 windows)");
}

void add_options(CLI::App& app, Args& a) {
  app.add_option("-c,--config", a.config_path, "SoC configuration YAML (default: the embedded default)");
  app.add_option("-w,--workload", a.workload_path,
                 "workload YAML (default: the embedded configs/workloads/lenet5.yaml)");
  app.add_option("--model", a.model_path,
                 "ONNX model (docs/models.md) for both PE kinds, replacing the workload's network; the\n"
                 "workload's images, calibration and accuracy settings stay");
  app.add_option(
      "--images", a.images,
      "N|all: run N test images (from the workload's images.index) through the whole SoC for each PE\n"
      "kind, check every one against the golden int8 model and report the top-1 accuracy measured on\n"
      "the SoC (default: the workload's images.count; the default LeNet-5 workload runs 300)");
  app.add_option(
      "--batch", a.batch,
      "N: run the images in streams of N (default 1: one at a time): within a stream the next image's\n"
      "first input rows and weights are loaded while the current image's last layer runs; the report\n"
      "gives each image's latency and the throughput (docs/runtime.md). 1 <= N <= the number of images");
  app.add_flag(
      "--compare,!--no-compare", a.wopt.compare,
      "run the min accelerator and the multiplier baseline side by side (default); with --no-compare\n"
      "only the PE kind of the configuration (accel.pe) runs");
  app.add_option("--csv", a.wopt.csv_path, "write the per-layer rows of every run as CSV");
  app.add_flag("--dma-selftest", a.selftest,
               "instead of a workload, run the DMA self-test program (CPU -> HAL -> DMA -> DRAM -> IRQ)");
  app.add_option("--report", a.options.report_path,
                 "write the JSON report: configuration used, per-layer figures of each run, statistics");
  app.add_flag(
      "--cosim", a.cosim,
      "co-simulation: every run (also the multiplier baseline) computes its tiles on the Verilated PE\n"
      "array (accel.engine = rtl) and checks each tile against the C++ engine");
  app.add_option(
      "--vcd", a.options.vcd_path,
      "write a VCD of the interrupt and busy lines of every SoC (and, with --cosim, the PE array's\n"
      "ports and clock)");
  add_trace_options(app, a);
  app.add_flag("-q,--quiet", a.options.quiet, "no progress messages");
  a.options.threads = minconv::golden::hardware_threads();
  app.add_option(
         "-j,--threads", a.options.threads,
         "threads for calibration and for the golden checks beside the simulation (default: the number\n"
         "of cores); the results do not depend on it")
      ->check(CLI::Range(1, 256));
  a.options.cache_dir = CalibrationCache::default_dir();
  app.add_option("--cache-dir", a.options.cache_dir,
                 "where calibration results are cached between runs (default: $XDG_CACHE_HOME/minconv or\n"
                 "~/.cache/minconv); an entry is keyed by a hash of the network, the calibration images and\n"
                 "the code version, and one that does not match is recomputed");
  app.add_flag_callback(
      "--no-cache", [&a] { a.options.cache_dir.clear(); }, "calibrate every time (no calibration cache)");
  app.add_flag("--print-default-config", a.print_default, "print the embedded default SoC YAML and exit");
}

// Flags that make no sense together, and output paths that cannot be written: errors before anything runs.
void check_args(Args& a) {
  const auto bad = [](const std::string& why) {
    throw minconv::config::ConfigError("minconv-sim: error: " + why);
  };
  if (a.selftest) {
    if (!a.workload_path.empty()) bad("--dma-selftest runs no workload: drop --workload");
    if (!a.images.empty()) bad("--dma-selftest runs no images: drop --images");
    if (!a.model_path.empty()) bad("--dma-selftest runs no model: drop --model");
    if (!a.wopt.csv_path.empty()) bad("--dma-selftest has no per-layer rows to write: drop --csv");
    if (a.cosim) bad("--dma-selftest does not use the accelerator: drop --cosim");
    if (!a.trace.images.empty()) bad("--dma-selftest runs no images: drop --trace-images");
    if (!a.batch.empty()) bad("--dma-selftest runs no images: drop --batch");
  }
  a.options.trace = parse_trace_flags(a.trace_path, a.trace);
  std::vector<std::string> inputs = {a.config_path, a.workload_path, a.model_path};
  check_output_paths({{"--report", a.options.report_path},
                      {"--csv", a.wopt.csv_path},
                      {"--vcd", a.options.vcd_path},
                      {"--trace", a.trace_path}},
                     inputs);
}

// --cosim: every run on the Verilated array; the arrays must have been verilated (exit 2 before running).
void use_rtl_engine(SocConfig& config, bool compare) {
  namespace acc = minconv::accel;
  config.accel->engine = acc::EngineKind::kRtl;
  std::vector<std::pair<unsigned, unsigned>> arrays = {{config.accel->rows, config.accel->cols}};
  std::vector<acc::PeKind> kinds = {config.accel->pe};
  if (compare) {
    arrays = {{config.accel->rows, config.accel->cols}, {config.baseline_rows, config.baseline_cols}};
    kinds = {acc::PeKind::kMin, acc::PeKind::kMul};
  }
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const std::string problem = acc::rtl_engine_problem(arrays[i].first, arrays[i].second, kinds[i]);
    if (!problem.empty())
      throw minconv::config::ConfigError("minconv-sim: error: --cosim with " + config.source + ": " +
                                         problem);
  }
}

int run(const Args& a) {
  SocConfig config = a.config_path.empty() ? SocConfig::load_default() : SocConfig::load_file(a.config_path);
  if (a.cosim && config.accel) use_rtl_engine(config, a.wopt.compare);
  if (a.selftest) return run_selftest_job(config, a.options);
  if (!config.accel) {
    throw minconv::config::ConfigError(config.source + ": error: the configuration has no accel section: a " +
                                       "workload needs the accelerator (or use --dma-selftest)");
  }
  const WorkloadLimits limits = workload_limits(config, a.wopt.compare);
  Workload workload = a.workload_path.empty() ? Workload::load_default(limits, a.model_path)
                                              : Workload::load_file(a.workload_path, limits, a.model_path);
  if (!a.images.empty()) workload.set_image_count(a.images);
  RunOptions options = a.options;
  if (!a.batch.empty()) options.batch = parse_batch(a.batch, workload.image_count);
  return run_workload_job(config, workload, a.wopt, options);
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  (void)kQuietBanner;
  CLI::App app{
      "minconv-sim: SystemC/TLM virtual platform of an SoC with a MinConv (min-selector) CNN accelerator.\n"
      "With no arguments it runs LeNet-5 (configs/workloads/lenet5.yaml) on the default SoC\n"
      "(configs/soc/default.yaml) over 300 Fashion-MNIST test images, once with the min-selector "
      "accelerator\n"
      "and once with the multiplier baseline, checks every image's every layer bit for bit against the "
      "golden\n"
      "int8 model and prints both side by side with the accuracy measured on the SoC.\n"
      "Exit codes: 0 success, 1 the run failed (a check, a bus error, an error report), 2 bad arguments,\n"
      "configuration or input files (nothing simulated)."};
  Args a;
  add_options(app, a);
  SweepArgs sweep_args;
  CLI::App* sweep = add_sweep(app, sweep_args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitConfig;
  }
  if (a.print_default) {
    std::cout << kDefaultSocYaml;
    return kExitOk;
  }
  configure_reports();
  try {
    if (sweep->parsed()) return run_sweep(sweep_args);
    check_args(a);
    return run(a);
  } catch (const minconv::config::ConfigError& e) {
    std::cerr << e.what() << "\n";  // bad input: nothing was simulated
    return kExitConfig;
  } catch (const minconv::golden::ModelError& e) {
    std::cerr << "minconv-sim: error: " << e.what() << "\n";
    return kExitConfig;
  } catch (const std::bad_alloc&) {
    std::cerr << "minconv-sim: error: out of memory (is an input much larger than intended?)\n";
    return kExitFailed;
  } catch (const std::exception& e) {
    std::cerr << "minconv-sim: error: " << e.what() << "\n";
    return kExitFailed;
  }
}
