// The workload job end to end: test images through the whole SoC, accuracy measured on the SoC, and the JSON
// report's figures checked against independent computations (the golden model's own classification of the
// same images; the roofline bound from the report's MACs and bytes and the configuration).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "platform/soc/pe_run.h"
#include "platform/soc/simulation.h"
#include "platform/soc/workload_job.h"

namespace minconv::platform {
namespace {

TEST(WorkloadJob, SocAccuracyEqualsGoldenClassificationAndReportHasTheBound) {
  configure_reports();
  const SocConfig config = SocConfig::load_default();
  Workload wl = Workload::load_default(workload_limits(config, true));
  wl.set_image_count("40");
  const std::string path = ::testing::TempDir() + "/workload_job_report.json";
  RunOptions options;
  options.quiet = true;
  options.report_path = path;
  ASSERT_EQ(run_workload_job(config, wl, WorkloadOptions{}, options), kExitOk);
  nlohmann::json report;
  std::ifstream(path) >> report;
  ASSERT_EQ(report["runs"].size(), 2u);

  // The golden int8 model, quantized the same way, classifies the same 40 images on its own.
  const ImageSet images = wl.test_images();
  const std::vector<golden::TensorF> calib = wl.calibration_set();
  for (const nlohmann::json& run : report["runs"]) {
    const accel::PeKind kind = run["pe"] == "min" ? accel::PeKind::kMin : accel::PeKind::kMul;
    const PeRun prepared = prepare_pe_run(kind, wl, calib, config);
    int correct = 0;
    for (std::size_t k = 0; k < images.images.size(); ++k) {
      correct += golden::classify(prepared.model, golden::quantize_input(prepared.model, images.images[k])) ==
                 images.labels[k];
    }
    EXPECT_EQ(run["images"], 40);
    EXPECT_TRUE(run["bit_exact"].get<bool>());
    EXPECT_DOUBLE_EQ(run["accuracy"].get<double>(), 100.0 * correct / 40) << run["pe"];

    // Bound of each layer: max(MACs / 64 PEs, DRAM bytes / (6.4 GB/s / 500 MHz = 12.8 B per cycle)).
    double sum = 0;
    for (const nlohmann::json& l : run["layers"]) {
      if (l["where"] == "fused") {  // a pool that ran in the conv layer's tiles: its figures are there
        EXPECT_EQ(l["cycles"], 0) << l["name"];
        EXPECT_EQ(l["bound"], "none") << l["name"];
        continue;
      }
      const double compute = l["macs"].get<double>() / 64.0;
      const double memory = (l["dram_read_bytes"].get<double>() + l["dram_write_bytes"].get<double>()) / 12.8;
      EXPECT_NEAR(l["bound_cycles"].get<double>(), std::max(compute, memory), 1e-6) << l["name"];
      EXPECT_EQ(l["bound"], memory > compute ? "memory" : "compute") << l["name"];
      EXPECT_NEAR(l["x_bound"].get<double>(), l["cycles"].get<double>() / std::max(compute, memory), 1e-9);
      sum += std::max(compute, memory);
    }
    EXPECT_NEAR(run["total"]["bound_cycles"].get<double>(), sum, 1e-6);
  }
}

}  // namespace
}  // namespace minconv::platform
