// minconv-sim: the MinConv SoC virtual platform's command line.
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "platform/config/yaml_map.h"
#include "platform/soc/run_options.h"
#include "platform/soc/selftest_job.h"
#include "platform/soc/simulation.h"
#include "platform/soc/soc_config.h"

namespace {
// The SystemC banner is printed before sc_main runs: turn it off during static initialisation.
const bool kQuietBanner = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0;
}  // namespace

int sc_main(int argc, char* argv[]) {
  (void)kQuietBanner;
  using namespace minconv::platform;
  CLI::App app{
      "minconv-sim: SystemC/TLM virtual platform of an SoC with a MinConv (min-selector) CNN accelerator.\n"
      "With no arguments it runs the default job on the embedded default SoC (configs/soc/default.yaml).\n"
      "Exit codes: 0 success, 1 the run failed (a check, a bus error, an error report), 2 bad arguments or\n"
      "configuration (nothing simulated)."};
  std::string config_path;
  bool selftest = false;
  bool print_default = false;
  RunOptions options;
  app.add_option("-c,--config", config_path, "SoC configuration YAML (default: the embedded default)")
      ->check(CLI::ExistingFile);
  app.add_flag("--dma-selftest", selftest, "run the DMA self-test program (CPU -> HAL -> DMA -> DRAM -> IRQ)");
  app.add_option("--report", options.report_path, "write the JSON report (configuration used + statistics)");
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
  (void)selftest;  // the self-test is the default job until the accelerator runtime exists
  try {
    return run_selftest_job(config, options);
  } catch (const std::exception& e) {
    std::cerr << "minconv-sim: error: " << e.what() << "\n";
    return kExitFailed;
  }
}
