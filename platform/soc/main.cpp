// minconv-sim: the MinConv SoC virtual platform's command line.
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "platform/config/yaml_map.h"
#include "platform/soc/run_options.h"
#include "platform/soc/selftest_job.h"
#include "platform/soc/simulation.h"
#include "platform/soc/soc_config.h"
#include "platform/soc/workload_job.h"

namespace {
// The SystemC banner is printed before sc_main runs: turn it off during static initialisation.
const bool kQuietBanner = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0;
}  // namespace

int sc_main(int argc, char* argv[]) {
  (void)kQuietBanner;
  using namespace minconv::platform;
  CLI::App app{
      "minconv-sim: SystemC/TLM virtual platform of an SoC with a MinConv (min-selector) CNN accelerator.\n"
      "With no arguments it runs LeNet-5 (configs/workloads/lenet5.yaml) on the default SoC\n"
      "(configs/soc/default.yaml), once with the min-selector accelerator and once with the multiplier\n"
      "baseline, checks every layer bit for bit against the golden int8 model and prints both side by side.\n"
      "Exit codes: 0 success, 1 the run failed (a check, a bus error, an error report), 2 bad arguments or\n"
      "configuration (nothing simulated)."};
  std::string config_path;
  std::string workload_path;
  WorkloadOptions wopt;
  bool selftest = false;
  bool print_default = false;
  RunOptions options;
  app.add_option("-c,--config", config_path, "SoC configuration YAML (default: the embedded default)")
      ->check(CLI::ExistingFile);
  app.add_option("-w,--workload", workload_path,
                 "workload YAML (default: the embedded configs/workloads/lenet5.yaml)")
      ->check(CLI::ExistingFile);
  app.add_flag(
      "--compare,!--no-compare", wopt.compare,
      "run the min accelerator and the multiplier baseline side by side (default); with --no-compare\n"
      "only the PE kind of the configuration (accel.pe) runs");
  app.add_option("--csv", wopt.csv_path, "write the per-layer rows of every run as CSV");
  app.add_flag("--dma-selftest", selftest,
               "instead of a workload, run the DMA self-test program (CPU -> HAL -> DMA -> DRAM -> IRQ)");
  app.add_option("--report", options.report_path,
                 "write the JSON report: configuration used, per-layer figures of each run, statistics");
  bool cosim = false;
  app.add_flag(
      "--cosim", cosim,
      "co-simulation: every run (also the multiplier baseline) computes its tiles on the Verilated PE\n"
      "array (accel.engine = rtl) and checks each tile against the C++ engine");
  app.add_option(
      "--vcd", options.vcd_path,
      "write a VCD of the interrupt and busy lines of every SoC (and, with --cosim, the PE array's\n"
      "ports and clock)");
  app.add_flag("-q,--quiet", options.quiet, "no progress messages");
  app.add_flag("--print-default-config", print_default, "print the embedded default SoC YAML and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitConfig;
  }
  if (print_default) {
    std::cout << kDefaultSocYaml;
    return kExitOk;
  }
  configure_reports();
  SocConfig config;
  try {
    config = config_path.empty() ? SocConfig::load_default() : SocConfig::load_file(config_path);
  } catch (const minconv::config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return kExitConfig;
  }
  if (cosim && config.accel) config.accel->engine = minconv::accel::EngineKind::kRtl;
  try {
    if (selftest) return run_selftest_job(config, options);
    Workload workload;
    try {
      workload = workload_path.empty() ? Workload::load_default() : Workload::load_file(workload_path);
    } catch (const minconv::config::ConfigError& e) {
      std::cerr << e.what() << "\n";
      return kExitConfig;
    } catch (const minconv::golden::ModelError& e) {
      std::cerr << (workload_path.empty() ? "default workload" : workload_path) << ": error: " << e.what()
                << "\n";
      return kExitConfig;
    }
    return run_workload_job(config, workload, wopt, options);
  } catch (const minconv::config::ConfigError& e) {
    // Raised while building the SoCs (e.g. engine: rtl with an array that was not verilated): nothing ran.
    std::cerr << e.what() << "\n";
    return kExitConfig;
  } catch (const std::exception& e) {
    std::cerr << "minconv-sim: error: " << e.what() << "\n";
    return kExitFailed;
  }
}
