// minconv-sim --trace end to end, through the command line as a user runs it: the trace parses, has the
// tracks and event counts the run's own report says it should (layers, planned tiles, DMA jobs, folds), its
// busy times and bytes agree with the component statistics, and tracing changes no figure of the report.
// The expected counts and times all come from the report (runtime plan, component statistics), never from
// the trace code. The workload is LeNet-5 calibrated on fewer images (tests/soc/sweep/lenet5_quick.yaml).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

const std::string kTmp = ::testing::TempDir();

// Runs minconv-sim quietly with `args`; returns its exit code. Output goes to `log` (if given).
int sim(const std::string& args, const std::string& log = "/dev/null") {
  const std::string cmd = std::string(MINCONV_SIM) + " -q " + args + " > " + log + " 2>&1";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// LeNet-5 as in the default run, calibrated on fewer images (quicker, above all in the sanitizer build).
int lenet5(const std::string& args, const std::string& log = "/dev/null") {
  return sim("--workload " MINCONV_SOURCE_DIR "/tests/soc/sweep/lenet5_quick.yaml " + args, log);
}

json load(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Slice {
  double ts, dur;
  std::string name;
};

// One process of a trace: its tracks' slices by track name, its counter samples by counter name.
struct Process {
  std::map<std::string, std::vector<Slice>> tracks;
  std::map<std::string, std::vector<json>> counters;  // {"ts":..., "args":...} in file order
};

std::map<std::string, Process> processes(const json& trace) {
  std::map<int64_t, std::string> pname;
  std::map<std::pair<int64_t, int64_t>, std::string> tname;
  for (const json& e : trace["traceEvents"]) {
    if (e["ph"] != "M") continue;
    if (e["name"] == "process_name") pname[e["pid"]] = e["args"]["name"];
    if (e["name"] == "thread_name") tname[{e["pid"], e["tid"]}] = e["args"]["name"];
  }
  std::map<std::string, Process> out;
  for (const auto& [key, name] : tname) out[pname.at(key.first)].tracks[name];
  for (const json& e : trace["traceEvents"]) {
    Process& p = out[pname.at(e["pid"])];
    if (e["ph"] == "X") p.tracks[tname.at({e["pid"], e["tid"]})].push_back({e["ts"], e["dur"], e["name"]});
    if (e["ph"] == "C") p.counters[e["name"]].push_back(e);
  }
  return out;
}

std::size_t count(const std::vector<Slice>& v, const std::string& name) {
  return static_cast<std::size_t>(
      std::count_if(v.begin(), v.end(), [&](const Slice& s) { return s.name == name; }));
}

double total(const std::vector<Slice>& v, const std::string& name) {
  double sum = 0;
  for (const Slice& s : v)
    if (s.name == name) sum += s.dur;
  return sum;
}

// Length of the union of the intervals, in us.
double union_length(std::vector<Slice> v) {
  std::sort(v.begin(), v.end(), [](const Slice& a, const Slice& b) { return a.ts < b.ts; });
  double sum = 0, lo = 0, hi = -1;
  for (const Slice& s : v) {
    if (s.ts > hi) {
      sum += std::max(0.0, hi - lo);
      lo = s.ts;
      hi = s.ts + s.dur;
    } else {
      hi = std::max(hi, s.ts + s.dur);
    }
  }
  return sum + std::max(0.0, hi - lo);
}

// The integral over time of a counter series (a value holds until the next sample): series in unit/us.
double integral(const std::vector<json>& samples, const std::string& series) {
  double sum = 0;
  for (std::size_t i = 0; i + 1 < samples.size(); ++i) {
    const double dt = samples[i + 1]["ts"].get<double>() - samples[i]["ts"].get<double>();
    sum += samples[i]["args"][series].get<double>() * dt;
  }
  return sum;
}

std::vector<Slice> dma_jobs(const Process& p) {
  std::vector<Slice> jobs;
  for (const auto& [name, slices] : p.tracks) {
    if (name.rfind("dma ch", 0) != 0) continue;
    for (const Slice& s : slices)
      if (s.name == "job" || s.name == "list") jobs.push_back(s);
  }
  return jobs;
}

uint64_t dma_channel_sum(const json& dma, const char* key) {
  uint64_t n = 0;
  for (const json& c : dma["channels"]) n += c[key].get<uint64_t>();
  return n;
}

double us(const json& stats_entry) { return stats_entry["busy_ns"].get<double>() / 1e3; }

TEST(TraceJob, LeNet5OneImageHasTheTracksAndCountsOfTheReport) {
  const std::string trace_path = kTmp + "/lenet_trace.json", report_path = kTmp + "/lenet_report.json";
  ASSERT_EQ(lenet5("--images 1 --trace " + trace_path + " --report " + report_path), 0);
  const json report = load(report_path);
  const auto procs = processes(load(trace_path));
  ASSERT_EQ(report["runs"].size(), 2u);
  ASSERT_EQ(procs.size(), 2u);
  for (const json& run : report["runs"]) {
    const std::string soc = "soc_" + run["pe"].get<std::string>();
    SCOPED_TRACE(soc);
    ASSERT_EQ(procs.count(soc), 1u);
    const Process& p = procs.at(soc);
    const json& stats = run["stats"]["components"];
    // Tracks: the CPU, one per DMA channel, the accelerator.
    ASSERT_EQ(p.tracks.count("cpu"), 1u);
    ASSERT_EQ(p.tracks.count("accel"), 1u);
    for (unsigned c = 0; c < report["config"]["dma"]["channels"].get<unsigned>(); ++c)
      EXPECT_EQ(p.tracks.count("dma ch" + std::to_string(c)), 1u) << c;
    // CPU: one image, one slice per layer of the report.
    const auto& cpu = p.tracks.at("cpu");
    EXPECT_EQ(count(cpu, "image 0"), 1u);
    uint64_t planned_tiles = 0;
    for (const json& layer : run["layers"]) {
      EXPECT_EQ(count(cpu, layer["name"]), 1u) << layer["name"];
      planned_tiles += layer["tiles"].get<uint64_t>();
    }
    EXPECT_GT(count(cpu, "wfi"), 0u);
    // Accelerator: the tiles the runtime planned, busy as long as its statistics say.
    const auto& accel = p.tracks.at("accel");
    EXPECT_EQ(count(accel, "tile"), planned_tiles);
    EXPECT_EQ(count(accel, "tile"), stats[soc + ".accel"]["tiles"].get<uint64_t>());
    EXPECT_NEAR(total(accel, "tile"), us(stats[soc + ".accel"]), 1e-6);
    // DMA: every job of every channel; the union of the jobs is the DMA's busy time.
    const json& dma = stats[soc + ".dma"];
    EXPECT_EQ(dma_jobs(p).size(), dma_channel_sum(dma, "jobs"));
    EXPECT_NEAR(union_length(dma_jobs(p)), us(dma), 1e-6);
    // Counters: busy time and bytes of DRAM and bus; DMA and accelerator busy time.
    for (const char* part : {"dram", "bus"}) {
      const json& s = stats[soc + "." + part];
      ASSERT_EQ(p.counters.count(part), 1u) << part;
      EXPECT_NEAR(integral(p.counters.at(part), "busy %") / 100, us(s), 1e-6 * us(s)) << part;
      EXPECT_NEAR(integral(p.counters.at(part), "read GB/s") * 1e3, s["read_bytes"].get<double>(),
                  1e-6 * s["read_bytes"].get<double>())
          << part;
      EXPECT_NEAR(integral(p.counters.at(part), "write GB/s") * 1e3, s["write_bytes"].get<double>(),
                  1e-6 * s["write_bytes"].get<double>())
          << part;
    }
    EXPECT_NEAR(integral(p.counters.at("dma"), "busy %") / 100, us(dma), 1e-6 * us(dma));
    EXPECT_NEAR(integral(p.counters.at("accel"), "busy %") / 100, us(stats[soc + ".accel"]),
                1e-6 * us(stats[soc + ".accel"]));
  }
}

// Everything the report holds but the host's own time.
json without_host_time(json report) {
  for (json& run : report["runs"]) {
    for (auto it = run.begin(); it != run.end();)
      it = it.key().rfind("host_seconds", 0) == 0 ? run.erase(it) : ++it;
  }
  return report;
}

TEST(TraceJob, TracingChangesNoFigureOfTheReport) {
  const std::string plain = kTmp + "/plain", traced = kTmp + "/traced";
  ASSERT_EQ(lenet5("--images 2 --report " + plain + ".json --csv " + plain + ".csv"), 0);
  ASSERT_EQ(lenet5("--images 2 --report " + traced + ".json --csv " + traced + ".csv --trace " + traced +
                   ".trace.json --trace-detail folds --trace-images all"),
            0);
  EXPECT_EQ(slurp(plain + ".csv"), slurp(traced + ".csv"));
  EXPECT_EQ(without_host_time(load(plain + ".json")), without_host_time(load(traced + ".json")));
  const auto procs = processes(load(traced + ".trace.json"));
  EXPECT_EQ(count(procs.at("soc_min").tracks.at("cpu"), "image 1"), 1u);  // --trace-images all: both
}

TEST(TraceJob, OnlyTheFirstImageIsTracedByDefault) {
  const std::string trace_path = kTmp + "/three.json", report_path = kTmp + "/three_report.json";
  ASSERT_EQ(lenet5("--images 3 --no-compare --trace " + trace_path + " --report " + report_path), 0);
  const json run = load(report_path)["runs"][0];
  ASSERT_EQ(run["images"], 3);
  const auto procs = processes(load(trace_path));  // kept: the tracks below are references into it
  const auto& cpu = procs.at("soc_" + run["pe"].get<std::string>()).tracks.at("cpu");
  EXPECT_EQ(count(cpu, "image 0"), 1u);
  EXPECT_EQ(count(cpu, "image 1"), 0u);
  for (const json& layer : run["layers"]) EXPECT_EQ(count(cpu, layer["name"]), 1u) << layer["name"];
}

TEST(TraceJob, DetailLevelsAddTilesThenFolds) {
  const std::string layers = kTmp + "/detail_layers.json", folds = kTmp + "/detail_folds.json";
  const std::string report_path = kTmp + "/detail_report.json";
  ASSERT_EQ(lenet5("--images 1 --no-compare --trace " + layers + " --trace-detail layers"), 0);
  ASSERT_EQ(
      lenet5("--images 1 --no-compare --trace " + folds + " --trace-detail folds --report " + report_path),
      0);
  const json run = load(report_path)["runs"][0];
  const std::string soc = "soc_" + run["pe"].get<std::string>();
  const json& stats = run["stats"]["components"];

  // layers: the image and its layers on the CPU, nothing on the DMA and accelerator tracks; counters stay.
  const Process l = processes(load(layers)).at(soc);
  EXPECT_EQ(l.tracks.at("cpu").size(), run["layers"].size() + 1);
  EXPECT_TRUE(l.tracks.at("accel").empty());
  EXPECT_TRUE(dma_jobs(l).empty());
  EXPECT_EQ(l.counters.count("dram"), 1u);

  // folds: one slice per fold the accelerator counted, one per DMA descriptor fetched.
  const Process f = processes(load(folds)).at(soc);
  EXPECT_EQ(count(f.tracks.at("accel"), "fold"), stats[soc + ".accel"]["folds"].get<uint64_t>());
  std::size_t descriptors = 0;
  for (const auto& [name, slices] : f.tracks) descriptors += count(slices, "descriptor");
  EXPECT_EQ(descriptors, dma_channel_sum(stats[soc + ".dma"], "descriptors"));
}

TEST(TraceJob, TheSliceLimitCapsTheFileAndWarns) {
  const std::string trace_path = kTmp + "/limited.json", log = kTmp + "/limited.log";
  ASSERT_EQ(lenet5("--images 1 --no-compare --trace " + trace_path + " --trace-limit 40", log), 0);
  const json trace = load(trace_path);
  std::size_t slices = 0;
  for (const json& e : trace["traceEvents"]) slices += e["ph"] == "X";
  EXPECT_EQ(slices, 40u);
  EXPECT_GT(trace["otherData"]["slices_left_out"].get<uint64_t>(), 0u);
  EXPECT_NE(slurp(log).find("--trace-limit"), std::string::npos);
}

TEST(TraceJob, TheDmaSelfTestIsTracedToo) {
  const std::string trace_path = kTmp + "/selftest.json", report_path = kTmp + "/selftest_report.json";
  ASSERT_EQ(sim("--dma-selftest --trace " + trace_path + " --report " + report_path), 0);
  const json report = load(report_path);
  const json& dma = report["stats"]["components"]["soc.dma"];
  const Process p = processes(load(trace_path)).at("soc");
  EXPECT_EQ(dma_jobs(p).size(), dma_channel_sum(dma, "jobs"));
  EXPECT_NEAR(union_length(dma_jobs(p)), us(dma), 1e-6);
}

TEST(TracePlot, DrawsATimelinePng) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) GTEST_SKIP() << "gnuplot is not installed";
  const std::string base = kTmp + "/plot";
  ASSERT_EQ(lenet5("--images 1 --trace " + base + ".json"), 0);
  std::remove((base + ".png").c_str());
  const std::string cmd = std::string(MINCONV_TRACE_PLOT) + " " + base + ".json " + base + ".png > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string png = slurp(base + ".png");
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_FALSE(slurp(base + ".gp").empty());
  EXPECT_FALSE(slurp(base + ".dat").empty());
}

}  // namespace
