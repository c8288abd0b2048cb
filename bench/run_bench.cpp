// Whole runs of minconv-sim (Google Benchmark, docs/performance.md): each iteration runs the real command
// line in a child process (SystemC elaborates once per process) and reads its JSON report. Times are
// wall-clock (manual time): a run uses both cores. Counters, per PE kind where it applies:
//   ms_per_image_<kind>    host time of the SoC program per image (simulation, golden checks beside it)
//   cycles_per_s_<kind>    simulated accelerator cycles per host second of that program
//   calibration_s_<kind>   host time of calibration + quantization (with --no-cache: computed every time)
//   images_per_s           images of both kinds per second of the whole run
// Usage: run_bench [google benchmark flags]; MINCONV_SIM (environment) overrides the minconv-sim it runs. The
// "_cached" runs fill a calibration cache in /tmp/minconv_run_bench_cache first, then time runs that read it.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;

namespace {

std::string sim_path() {
  const char* env = std::getenv("MINCONV_SIM");
  return env != nullptr ? env : MINCONV_SIM_PATH;
}

struct Run {
  double wall_seconds = 0;
  nlohmann::json report;
};

// minconv-sim ARGS -q --report TMP, its output discarded; throws if it fails.
Run run_sim(std::vector<std::string> args) {
  char report_path[] = "/tmp/minconv_run_bench_XXXXXX";
  const int fd = mkstemp(report_path);
  if (fd < 0) throw std::runtime_error("run_bench: cannot create a temporary file");
  close(fd);
  args.insert(args.begin(), sim_path());
  for (const char* a : {"-q", "--report", static_cast<const char*>(report_path)}) args.emplace_back(a);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t io;
  posix_spawn_file_actions_init(&io);
  posix_spawn_file_actions_addopen(&io, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int status = -1;
  if (posix_spawn(&pid, argv[0], &io, nullptr, argv.data(), environ) == 0) waitpid(pid, &status, 0);
  Run run;
  run.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  posix_spawn_file_actions_destroy(&io);
  std::ifstream in(report_path);
  if (status == 0) in >> run.report;
  std::remove(report_path);
  if (status != 0)
    throw std::runtime_error("run_bench: " + sim_path() + " failed (status " + std::to_string(status) + ")");
  return run;
}

void whole_run(benchmark::State& state, const std::vector<std::string>& args) {
  if (std::find(args.begin(), args.end(), "--no-cache") == args.end()) {
    try {
      run_sim(args);  // fills the calibration cache: the timed runs read it
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      return;
    }
  }
  std::map<std::string, double> sums;
  for (auto _ : state) {
    Run run;
    try {
      run = run_sim(args);
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      return;
    }
    state.SetIterationTime(run.wall_seconds);
    double images = 0;
    for (const nlohmann::json& r : run.report["runs"]) {
      const std::string kind = r["pe"];
      const double n = r["images"].get<double>(), sim = r["host_seconds"].get<double>();
      images += n;
      sums["ms_per_image_" + kind] += 1e3 * sim / n;
      sums["cycles_per_s_" + kind] += r["total"]["cycles"].get<double>() * n / sim;
      sums["calibration_s_" + kind] += r["host_seconds_calibration"].get<double>();
    }
    sums["images_per_s"] += images / run.wall_seconds;
  }
  for (const auto& [name, sum] : sums) state.counters[name] = sum / static_cast<double>(state.iterations());
}

const std::string kYolo = std::string(MINCONV_SOURCE_DIR) + "/configs/workloads/tinyyolov2.yaml";

void register_runs() {
  const auto add = [](const std::string& name, const std::vector<std::string>& args) {
    benchmark::RegisterBenchmark(name.c_str(), whole_run, args)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
  };
  // LeNet-5 through the SoC, both kinds: the default run (300 images), and the whole test set.
  add("lenet5_300_images/threads:1", {"--no-cache", "-j", "1"});
  add("lenet5_300_images/threads:2", {"--no-cache", "-j", "2"});
  const std::string cache = "/tmp/minconv_run_bench_cache";
  add("lenet5_300_images_cached/threads:2", {"-j", "2", "--cache-dir", cache});
  add("lenet5_all_images/threads:1", {"--no-cache", "-j", "1", "--images", "all"});
  add("lenet5_all_images/threads:2", {"--no-cache", "-j", "2", "--images", "all"});
  // Tiny-YOLOv2 (one 416x416 image, 3.5 GMAC per kind), calibrated every time and from the cache.
  add("tinyyolov2/threads:1", {"--no-cache", "-j", "1", "--workload", kYolo});
  add("tinyyolov2/threads:2", {"--no-cache", "-j", "2", "--workload", kYolo});
  add("tinyyolov2_cached/threads:2", {"-j", "2", "--workload", kYolo, "--cache-dir", cache});
}

}  // namespace

int main(int argc, char** argv) {
  register_runs();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
