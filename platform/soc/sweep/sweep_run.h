#pragma once
// Running a sweep: every point is its own minconv-sim process writing its own report, either here (in
// parallel on the machine's cores) or on a cluster (one command per point, a GNU parallel job file and a
// SLURM job-array script); `merge` gathers the per-point reports into one CSV and the plots.
//
// Output folder layout:
//   points/<id>/config.yaml   the point's SoC configuration
//   points/<id>/report.json   its JSON report (when it ran)
//   points/<id>/log.txt       its output;  points/<id>/exit_code  its exit code
//   commands.txt              one self-contained shell command per point (also GNU parallel's input)
//   slurm.sh                  a SLURM job array over commands.txt
//   results.csv               one row per point;  plots/*.png, *.svg
#include <string>

#include "platform/soc/sweep/sweep_spec.h"

namespace minconv::platform::sweep {

struct Options {
  std::string out_dir;  // default: ./<sweep name>
  unsigned jobs = 0;    // parallel points (0: the number of cores)
  bool quiet = false;
  std::string self_exe;  // this minconv-sim (absolute path)
};

// Writes the points' configurations and commands.txt/slurm.sh; returns the folder.
std::string prepare(const Spec& spec, const Options& options);
// Runs every point not yet in results.csv, then merges. Returns an exit code (0 even if points failed:
// failures are rows of the CSV; 1 if nothing could be run at all).
int run(const Spec& spec, const Options& options);
// Writes results.csv (and the plots) from the per-point files. Returns an exit code.
int merge(const Spec& spec, const Options& options);

}  // namespace minconv::platform::sweep
