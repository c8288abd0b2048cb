#include "platform/soc/selftest_job.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "platform/soc/simulation.h"
#include "platform/soc/trace_session.h"
#include "platform/stats/stats.h"
#include "sw/apps/dma_selftest.h"

namespace minconv::platform {

namespace {
nlohmann::json to_json(const sw::DmaSelftestCase& c) {
  return {{"name", c.name},
          {"bytes", c.bytes},
          {"cpu_cycles", c.cpu_cycles},
          {"seconds", c.seconds},
          {"passed", c.passed},
          {"detail", c.detail},
          {"bandwidth_bytes_per_s", c.bandwidth_bytes_per_s()}};
}
}  // namespace

int run_selftest_job(const SocConfig& config, const RunOptions& options) {
  sw::DmaSelftestResult result;
  const hal::SocInfo info = config.soc_info();
  Soc soc("soc", config, [&](hal::Hal& hal) { return sw::dma_selftest(hal, info, {}, result); });
  if (!options.quiet) std::cout << "minconv-sim: DMA self-test on " << config.source << "\n" << std::flush;
  std::optional<TraceSession> trace;
  if (!options.trace.path.empty()) trace.emplace(options.trace);
  if (trace) trace->attach(soc);
  const auto t0 = std::chrono::steady_clock::now();
  std::string why;
  const bool finished = run_in_sequence({&soc}, why);
  if (trace && !trace->close(options.quiet)) return kExitFailed;
  const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const double peak = config.dram.peak_bandwidth_bytes_per_s();
  // Every case copies DRAM to DRAM: the DRAM interface carries each byte twice (read, then write).
  std::printf(
      "\nDMA self-test (DRAM peak %.2f GB/s; DRAM GB/s = 2 x copy GB/s: each byte is read and written)\n",
      peak / 1e9);
  std::printf("%-28s %10s %12s %10s %10s %7s  %s\n", "case", "bytes", "time us", "copy GB/s", "DRAM GB/s",
              "% peak", "result");
  for (const auto& c : result.cases) {
    const double dram_bw = 2 * c.bandwidth_bytes_per_s();
    std::printf("%-28s %10llu %12.3f %10.3f %10.3f %6.1f%%  %s%s%s\n", c.name.c_str(),
                static_cast<unsigned long long>(c.bytes), c.seconds * 1e6, c.bandwidth_bytes_per_s() / 1e9,
                dram_bw / 1e9, 100.0 * dram_bw / peak, c.passed ? "pass" : "FAIL",
                c.detail.empty() ? "" : ": ", c.detail.c_str());
  }
  std::printf("\n%s", format_stats_table(soc.stats_sources(), soc.elapsed()).c_str());
  std::printf("host time: %.3f s\n", host_s);

  if (!options.report_path.empty()) {
    nlohmann::json report;
    report["job"] = "dma_selftest";
    report["config"] = config.to_json();
    report["stats"] = stats_to_json(soc.stats_sources(), soc.elapsed());
    report["selftest"] = nlohmann::json::array();
    for (const auto& c : result.cases) report["selftest"].push_back(to_json(c));
    report["passed"] = finished && result.passed();
    report["host_seconds"] = host_s;
    std::ofstream out(options.report_path);
    out << report.dump(2) << "\n";
    if (!out) {
      std::cerr << "minconv-sim: error: cannot write report " << options.report_path << "\n";
      return kExitFailed;
    }
  }
  if (!finished) std::cerr << "minconv-sim: error: " << why << "\n";
  const bool ok = finished && result.passed() && soc.cpu().exit_code() == 0 && error_count() == 0;
  std::printf("DMA self-test: %s\n", ok ? "PASSED" : "FAILED");
  return ok ? kExitOk : kExitFailed;
}

}  // namespace minconv::platform
