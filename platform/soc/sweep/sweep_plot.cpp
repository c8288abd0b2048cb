// The sweep's plots, drawn by gnuplot (Debian gnuplot-nox) from data files written next to them: cycles and
// energy against the array size for min and mul, area against cycles (the iso-area picture), a roofline of
// every layer of every point, and accuracy beside area when the sweep measured it.
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "platform/soc/sweep/sweep_results.h"

namespace minconv::platform::sweep {

namespace {

bool have_gnuplot() { return std::system("command -v gnuplot > /dev/null 2>&1") == 0; }

// One data file per PE kind: "pes area cycles energy_uj accuracy x_bound".
void write_points(const std::vector<Result>& results, const std::string& dir) {
  for (const char* pe : {"min", "mul"}) {
    std::ofstream out(dir + "/points_" + pe + ".dat");
    out << "# pes area_nand2 cycles energy_uj accuracy x_bound\n";
    std::multimap<unsigned, const Result*> by_pes;
    for (const Result& r : results) {
      if (r.ok && r.pe == pe) by_pes.emplace(r.rows * r.cols, &r);
    }
    for (const auto& [pes, r] : by_pes) {
      out << pes << " " << r->area_nand2 << " " << r->cycles << " " << r->energy_uj << " "
          << (r->accuracy >= 0 ? std::to_string(r->accuracy) : "NaN") << " " << r->x_bound << "\n";
    }
  }
}

// Roofline points: arithmetic intensity (MACs per DRAM byte) and achieved MACs per cycle of every layer.
std::set<unsigned> write_roofline(const std::vector<Result>& results, const std::string& dir, double& slope) {
  std::set<unsigned> pes;
  for (const char* pe : {"min", "mul"}) {
    std::ofstream out(dir + "/roofline_" + pe + ".dat");
    out << "# macs_per_byte macs_per_cycle layer\n";
    for (const Result& r : results) {
      if (!r.ok || r.pe != pe) continue;
      pes.insert(r.rows * r.cols);
      slope = r.peak_bytes_per_cycle;
      for (const LayerResult& l : r.layers) {
        if (l.macs > 0 && l.dram_bytes > 0 && l.cycles > 0) {
          out << l.macs / l.dram_bytes << " " << l.macs / l.cycles << " " << l.name << "\n";
        }
      }
    }
  }
  return pes;
}

std::string script(const std::string& name, const std::string& title, const std::string& body) {
  std::ostringstream s;
  // Each plot starts from linear axes: one script draws them all, and gnuplot keeps settings between plots.
  s << "set termoption noenhanced\nunset logscale\nset title '" << title << "'\nset grid\nset key top left\n"
    << body;
  std::ostringstream gp;
  for (const char* term : {"png size 900,600", "svg size 900,600"}) {
    gp << "set terminal " << term << "\nset output '" << name << (term[0] == 'p' ? ".png" : ".svg") << "'\n"
       << s.str() << "\n";
  }
  return gp.str();
}

// Both PE kinds: min as filled dots, mul as larger open circles, so that equal figures stay visible.
std::string series(const std::string& using_cols, const std::string& style) {
  return "'points_min.dat' using " + using_cols + " with " + style +
         " pointtype 7 pointsize 1.2 title 'min', " + "'points_mul.dat' using " + using_cols + " with " +
         style + " pointtype 6 pointsize 2 title 'mul'";
}

}  // namespace

std::string write_plots(const Spec& spec, const std::vector<Result>& results, const std::string& dir) {
  const std::string pd = dir + "/plots";
  mkdir(pd.c_str(), 0755);
  write_points(results, pd);
  double slope = 0;
  const std::set<unsigned> pes = write_roofline(results, pd, slope);
  std::ostringstream gp;
  gp << script("cycles_vs_pes", spec.name + ": cycles per inference against PEs",
               "set logscale xy\nset xlabel 'PEs'\nset ylabel 'cycles'\nplot " + series("1:3", "points"));
  gp << script("energy_vs_pes", spec.name + ": energy per inference against PEs",
               "set logscale x\nset xlabel 'PEs'\nset ylabel 'energy per inference (uJ)'\nplot " +
                   series("1:4", "points"));
  gp << script("area_vs_cycles", spec.name + ": PE-array area against cycles",
               "set logscale xy\nset xlabel 'PE array area (NAND2-eq)'\nset ylabel 'cycles'\nplot " +
                   series("2:3", "points"));
  std::string ceilings = "set logscale xy\nset xlabel 'MACs per DRAM byte'\nset ylabel 'MACs per cycle'\n";
  char peak[96];
  std::snprintf(peak, sizeof peak, "%g*x with lines dashtype 2 title 'DRAM peak (%g B/cycle)'", slope, slope);
  ceilings += std::string("plot [0.01:1000] ") + peak;
  for (unsigned n : pes)
    ceilings += ", " + std::to_string(n) + " with lines title '" + std::to_string(n) + " PEs'";
  ceilings += ", 'roofline_min.dat' using 1:2 with points pointtype 7 title 'min layers'";
  ceilings += ", 'roofline_mul.dat' using 1:2 with points pointtype 5 title 'mul layers'";
  gp << script("roofline", spec.name + ": roofline (one point per layer and sweep point)", ceilings);
  bool accuracy = false;
  for (const Result& r : results) accuracy = accuracy || (r.ok && r.accuracy >= 0);
  if (accuracy) {
    gp << script("accuracy_vs_area", spec.name + ": top-1 accuracy on the SoC against area",
                 "set logscale x\nset xlabel 'PE array area (NAND2-eq)'\nset ylabel 'top-1 (%)'\nset yrange "
                 "[0:100]\nplot " +
                     series("2:5", "points"));
  }
  std::ofstream(pd + "/plots.gp") << gp.str();
  if (!have_gnuplot())
    return "plots: gnuplot is not installed (Debian gnuplot-nox): wrote " + pd + "/plots.gp only";
  const std::string cmd = "cd '" + pd + "' && gnuplot plots.gp > gnuplot.log 2>&1";
  if (std::system(cmd.c_str()) != 0) return "plots: gnuplot failed, see " + pd + "/gnuplot.log";
  return "plots: " + pd + "/{cycles_vs_pes,energy_vs_pes,area_vs_cycles,roofline" +
         (accuracy ? ",accuracy_vs_area" : "") + "}.{png,svg}";
}

}  // namespace minconv::platform::sweep
