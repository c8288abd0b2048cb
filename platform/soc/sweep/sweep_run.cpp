#include "platform/soc/sweep/sweep_run.h"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "platform/config/input_file.h"
#include "platform/soc/cost_model.h"
#include "platform/soc/progress.h"
#include "platform/soc/soc_config.h"
#include "platform/soc/sweep/sweep_results.h"

extern char** environ;

namespace minconv::platform::sweep {

namespace {

void make_dirs(const std::string& path) {
  std::string at;
  std::stringstream in(path);
  if (!path.empty() && path[0] == '/') at = "/";
  for (std::string part; std::getline(in, part, '/');) {
    if (part.empty()) continue;
    at += part + "/";
    if (mkdir(at.c_str(), 0755) != 0 && errno != EEXIST) {
      throw config::ConfigError("sweep: error: cannot create the folder " + at);
    }
  }
}

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[4096];
  return std::string(getcwd(cwd, sizeof cwd) != nullptr ? cwd : ".") + "/" + path;
}

// The shell command of one point, self-contained (absolute paths), recording its exit code. Points are the
// unit of parallelism (sweep -j, GNU parallel, a SLURM task of one CPU), so each runs on one thread.
std::string command(const Spec& spec, const Options& o, const std::string& dir, const Point& p) {
  const std::string pd = dir + "/points/" + p.id;
  std::string cmd = quoted(o.self_exe) + " -q -j 1 --no-compare --config " + quoted(pd + "/config.yaml");
  if (!spec.workload_path.empty()) cmd += " --workload " + quoted(absolute(spec.workload_path));
  if (!spec.images.empty()) cmd += " --images " + quoted(spec.images);
  const std::string batch = point_batch(spec, p);
  if (!batch.empty()) cmd += " --batch " + quoted(batch);
  cmd += " --report " + quoted(pd + "/report.json") + " > " + quoted(pd + "/log.txt") + " 2>&1; echo $? > " +
         quoted(pd + "/exit_code");
  return cmd;
}

std::string base_yaml(const Spec& spec) {
  if (spec.config_path.empty()) return kDefaultSocYaml;
  const std::vector<uint8_t> bytes = config::read_input_file(spec.config_path, config::kMaxYamlBytes);
  return std::string(bytes.begin(), bytes.end());
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw config::ConfigError("sweep: error: cannot write " + path);
}

std::string out_dir(const Spec& spec, const Options& o) {
  return absolute(o.out_dir.empty() ? spec.name : o.out_dir);
}

// Runs `cmd` with /bin/sh; returns its pid.
pid_t spawn(const std::string& cmd) {
  const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0) return -1;
  return pid;
}

}  // namespace

std::string prepare(const Spec& spec, const Options& o) {
  const std::string dir = out_dir(spec, o);
  const std::string base = base_yaml(spec);
  const CostModel costs = CostModel::from_yaml(std::nullopt);
  std::ostringstream commands;
  for (const Point& p : expand(spec)) {
    make_dirs(dir + "/points/" + p.id);
    write_file(dir + "/points/" + p.id + "/config.yaml",
               point_config(spec, base, p, costs.min_pe_nand2, costs.mul_pe_nand2));
    commands << command(spec, o, dir, p) << "\n";
  }
  write_file(dir + "/commands.txt", commands.str());
  write_file(dir + "/parallel.sh",
             "#!/bin/sh\n# GNU parallel over the sweep's points (here, or on other machines with "
             "--sshloginfile FILE)\n"
             "parallel --joblog " +
                 quoted(dir + "/joblog.txt") + " \"$@\" < " + quoted(dir + "/commands.txt") + "\n");
  write_file(dir + "/slurm.sh", "#!/bin/bash\n# SLURM job array over the sweep's points: sbatch --array=1-" +
                                    std::to_string(spec.point_count()) + " " + dir +
                                    "/slurm.sh, then minconv-sim sweep SWEEP.yaml --merge -o " + dir +
                                    "\n#SBATCH --job-name=" + spec.name + "\n#SBATCH --cpus-per-task=1\n" +
                                    "eval \"$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" " +
                                    quoted(dir + "/commands.txt") + ")\"\n");
  return dir;
}

int run(const Spec& spec, const Options& o) {
  const std::string dir = prepare(spec, o);
  const std::set<std::string> done = points_in_csv(dir + "/results.csv");
  std::vector<std::pair<std::string, std::string>> todo;  // id, command
  for (const Point& p : expand(spec)) {
    if (done.count(p.id) == 0) todo.emplace_back(p.id, command(spec, o, dir, p));
  }
  const unsigned jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  if (!o.quiet) {
    std::cout << "minconv-sim sweep " << spec.name << ": " << spec.point_count() << " points, " << todo.size()
              << " to run (" << done.size() << " already in results.csv), " << jobs << " at a time, in "
              << dir << "\n"
              << std::flush;
  }
  Progress progress("minconv-sim sweep", "points", todo.size(), o.quiet, 1);
  std::map<pid_t, std::string> running;
  std::size_t next = 0, finished = 0;
  while (finished < todo.size()) {
    while (running.size() < jobs && next < todo.size()) {
      const pid_t pid = spawn(todo[next].second);
      if (pid < 0) {
        std::cerr << "minconv-sim: error: cannot start a process for point " << todo[next].first << "\n";
        return 1;
      }
      running[pid] = todo[next++].first;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) break;
    if (running.erase(pid) > 0) progress.update(++finished);
  }
  progress.finish();
  return merge(spec, o);
}

int merge(const Spec& spec, const Options& o) {
  const std::string dir = out_dir(spec, o);
  const std::vector<Result> results = collect(spec, dir);
  write_file(dir + "/results.csv", results_csv(spec, results));
  unsigned ok = 0;
  for (const Result& r : results) ok += r.ok ? 1 : 0;
  if (!o.quiet) {
    std::cout << "minconv-sim sweep " << spec.name << ": " << ok << " of " << results.size()
              << " points succeeded; " << dir << "/results.csv\n";
  }
  const std::string plots = write_plots(spec, results, dir);
  if (!o.quiet && !plots.empty()) std::cout << plots << "\n";
  return 0;
}

}  // namespace minconv::platform::sweep
