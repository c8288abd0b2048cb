// minconv-sim --batch end to end, through the command line as a user runs it (docs/runtime.md, "Batch
// streaming"): a batch of 1 is the run without --batch, figure for figure; a streamed batch stays bit-exact
// on every image, takes less simulated time than the same images one at a time but more than the
// accelerator's own busy time, and its per-image latencies agree with its total. The workload is LeNet-5
// calibrated on fewer images (tests/soc/sweep/lenet5_quick.yaml).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

const std::string kTmp = ::testing::TempDir();

// Runs minconv-sim quietly on the quick LeNet-5 with `args`; returns its exit code.
int lenet5(const std::string& args, const std::string& log = "/dev/null") {
  const std::string cmd = std::string(MINCONV_SIM) +
                          " -q --workload " MINCONV_SOURCE_DIR "/tests/soc/sweep/lenet5_quick.yaml " + args +
                          " > " + log + " 2>&1";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp_command(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

json load(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The report without what legitimately differs between two runs of the same figures (host times, and the
// batch size the run was asked for).
json figures(json report) {
  for (json& run : report["runs"]) {
    for (auto it = run.begin(); it != run.end();) {
      it = it.key().rfind("host_seconds", 0) == 0 || it.key() == "calibration_cached" ? run.erase(it) : ++it;
    }
  }
  return report;
}

TEST(BatchJob, BatchOfOneIsTheRunWithoutBatch) {
  const std::string plain = kTmp + "/batch_plain.json", one = kTmp + "/batch_one.json";
  ASSERT_EQ(lenet5("--images 3 --report " + plain), 0);
  ASSERT_EQ(lenet5("--images 3 --batch 1 --report " + one), 0);
  const json a = load(plain), b = load(one);
  EXPECT_EQ(figures(a), figures(b));
  for (const json& run : b["runs"]) {
    SCOPED_TRACE(run["pe"].get<std::string>());
    EXPECT_EQ(run["batch"], 1);
    // One at a time: the first image's latency is the per-inference cycles of the per-layer report (its
    // layers' sum), and the images follow each other without overlap or gap (same CPU and accelerator clock
    // in the default SoC, so no rounding between the two).
    const std::vector<uint64_t> lat = run["stream"]["image_latency_cycles"];
    ASSERT_EQ(lat.size(), 3u);
    EXPECT_EQ(lat[0], run["total"]["cycles"].get<uint64_t>());
    EXPECT_EQ(run["stream"]["cycles"].get<uint64_t>(), lat[0] + lat[1] + lat[2]);
  }
}

TEST(BatchJob, StreamedBatchIsBitExactFasterThanOneAtATimeAndConsistent) {
  const std::string single = kTmp + "/batch_single.json", batch = kTmp + "/batch_three.json";
  const std::string csv = kTmp + "/batch_three.csv", log = kTmp + "/batch_three.log";
  ASSERT_EQ(lenet5("--images 3 --report " + single), 0);
  ASSERT_EQ(lenet5("--images 3 --batch 3 --report " + batch + " --csv " + csv, log), 0) << slurp(log);
  const json s = load(single), b = load(batch);
  ASSERT_EQ(b["runs"].size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const json& run = b["runs"][k];
    const json& stream = run["stream"];
    SCOPED_TRACE(run["pe"].get<std::string>());
    EXPECT_TRUE(run["bit_exact"].get<bool>());  // every image, every layer, against the golden int8 model
    EXPECT_EQ(run["images"], 3);
    EXPECT_EQ(run["batch"], 3);
    EXPECT_EQ(run["accuracy"], s["runs"][k]["accuracy"]);

    // Overlap: less than the same three images one at a time; more than the accelerator's busy time.
    const uint64_t total = stream["cycles"];
    EXPECT_LT(total, s["runs"][k]["stream"]["cycles"].get<uint64_t>());
    EXPECT_GT(total, stream["accel_busy_cycles"].get<uint64_t>());
    EXPECT_GT(stream["accel_busy_cycles"].get<uint64_t>(), 0u);

    // Per-image latencies: positive, their summary is theirs, and the stream is no shorter than its longest
    // image and no longer than its images end to end without overlap.
    std::vector<uint64_t> lat = stream["image_latency_cycles"];
    ASSERT_EQ(lat.size(), 3u);
    for (uint64_t l : lat) EXPECT_GT(l, 0u);
    EXPECT_EQ(stream["latency_cycles"]["min"], *std::min_element(lat.begin(), lat.end()));
    EXPECT_EQ(stream["latency_cycles"]["max"], *std::max_element(lat.begin(), lat.end()));
    const uint64_t sum = std::accumulate(lat.begin(), lat.end(), uint64_t{0});
    EXPECT_NEAR(stream["latency_cycles"]["mean"].get<double>(), sum / 3.0, 1e-6);
    EXPECT_GE(total, *std::max_element(lat.begin(), lat.end()));
    EXPECT_LT(total, sum);  // the images overlap
    EXPECT_NEAR(stream["images_per_s"].get<double>(), 3 / (stream["us"].get<double>() * 1e-6), 1e-3);
    EXPECT_GT(stream["images_per_s"].get<double>(), s["runs"][k]["stream"]["images_per_s"].get<double>());
  }
  // The CSV's total rows carry the same stream figures.
  std::istringstream rows(slurp(csv));
  std::string line;
  std::getline(rows, line);
  EXPECT_NE(
      line.find(",batch,stream_cycles,images_per_s,image_latency_min,image_latency_mean,image_latency_max"),
      std::string::npos)
      << line;
  int totals = 0;
  while (std::getline(rows, line)) {
    if (line.find(",total,") == std::string::npos) continue;
    const json& run = b["runs"][totals++];
    EXPECT_NE(line.find(",3," + std::to_string(run["stream"]["cycles"].get<uint64_t>()) + ","),
              std::string::npos)
        << line;
  }
  EXPECT_EQ(totals, 2);
}

// Weight sharing (runtime.share_weights, docs/runtime.md): in a stream, LeNet-5's weights (about 64 KB) fit
// the weight buffer together and are loaded by the first image only; switched off, every image loads them.
TEST(BatchJob, StreamSharesWeightsLoadedOnce) {
  std::string yaml = slurp_command(std::string(MINCONV_SIM) + " --print-default-config");
  const std::string on = "share_weights: true ";
  ASSERT_NE(yaml.find(on), std::string::npos);
  yaml.replace(yaml.find(on), on.size(), "share_weights: false");
  const std::string no_share = kTmp + "/no_share.yaml";
  std::ofstream(no_share) << yaml;
  const std::string shared = kTmp + "/batch_shared.json", unshared = kTmp + "/batch_unshared.json";
  ASSERT_EQ(lenet5("--images 4 --batch 4 --report " + shared), 0);
  ASSERT_EQ(lenet5("--images 4 --batch 4 --config " + no_share + " --report " + unshared), 0);
  const json a = load(shared), b = load(unshared);
  for (std::size_t k = 0; k < 2; ++k) {
    const json &with = a["runs"][k], &without = b["runs"][k];
    SCOPED_TRACE(with["pe"].get<std::string>());
    EXPECT_TRUE(with["bit_exact"].get<bool>());
    EXPECT_TRUE(without["bit_exact"].get<bool>());
    const std::string dram = "soc_" + with["pe"].get<std::string>() + ".dram";
    const uint64_t read_with = with["stats"]["components"][dram]["read_bytes"];
    const uint64_t read_without = without["stats"]["components"][dram]["read_bytes"];
    // Image 0's weight reads, the per-inference report's (every layer loads its weights once per image).
    uint64_t weights = 0;
    for (const json& l : without["layers"]) weights += l["dram_read_bytes"].get<uint64_t>();
    EXPECT_GT(weights, 60000u);
    // Three images fewer load the weights: at least 3 x 60 KB less.
    EXPECT_LT(read_with + 3 * 60000, read_without);
    EXPECT_GT(read_with, 0u);
  }
}

}  // namespace
