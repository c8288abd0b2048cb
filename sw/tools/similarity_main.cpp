// minconv-similarity: reproduces the seed slides' similarity table (Pearson correlation of xi * eta with
// min, sum and max of xi, eta, by Monte Carlo) and the distance L(k, v) between xi * eta and min(xi, eta)
// for xi, eta ~ N_f(k, v), printed as tables and plotted with gnuplot (docs/similarity.md).
// Exit codes: 0 done; 1 gnuplot failed or is missing (the tables are printed all the same); 2 bad options.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "sw/train/similarity.h"

namespace {

namespace sim = minconv::train::similarity;

struct Options {
  std::size_t samples = 1000000;
  uint64_t seed = 1;
  std::vector<double> vs = {0.01, 0.1, 0.25, 0.5, 1.0};
  double k_max = 3.0;
  double table_step = 0.1;
  double plot_step = 0.01;
  std::string plot;
  std::string gnuplot = "gnuplot";
  bool alternatives = false;
};

// Runs the script through gnuplot; false (with a message) when gnuplot is missing or fails.
bool plot(const sim::DistanceTable& t, const Options& o) {
  const std::string probe = "command -v '" + o.gnuplot + "' >/dev/null 2>&1";
  if (o.gnuplot.find('\'') != std::string::npos || std::system(probe.c_str()) != 0) {
    std::fprintf(
        stderr,
        "minconv-similarity: %s not found: no plot written to %s (install Debian gnuplot-nox, e.g. with "
        "scripts/setup.sh); the tables above are complete\n",
        o.gnuplot.c_str(), o.plot.c_str());
    return false;
  }
  FILE* p = ::popen(("'" + o.gnuplot + "'").c_str(), "w");
  if (p == nullptr) {
    std::fprintf(stderr, "minconv-similarity: cannot start %s\n", o.gnuplot.c_str());
    return false;
  }
  const std::string script = sim::gnuplot_script(t, o.plot);
  const bool written = std::fwrite(script.data(), 1, script.size(), p) == script.size();
  const int status = ::pclose(p);
  if (!written || status != 0) {
    std::fprintf(stderr, "minconv-similarity: %s failed (status %d): %s not written\n", o.gnuplot.c_str(),
                 status, o.plot.c_str());
    return false;
  }
  std::printf("plot written to %s\n", o.plot.c_str());
  return true;
}

// Other readings of the slides' notation, to show which one their figures come from (docs/similarity.md).
void print_alternatives(const Options& o) {
  struct Reading {
    const char* what;
    sim::Distribution xi, eta;
  };
  const std::vector<Reading> readings = {
      {"row 2, N_f(0,10) read as variance 10", sim::folded_normal(0, 1),
       sim::folded_normal(0, std::sqrt(10.0))},
      {"row 2, N_f(0,10) read as sigma 10", sim::folded_normal(0, 1), sim::folded_normal(0, 10)},
      {"row 4 as printed", sim::uniform(0, 1), sim::uniform(0, 1)},
      {"row 4, eta ~ U(0,2)", sim::uniform(0, 1), sim::uniform(0, 2)},
      {"row 4, eta ~ U(0,5)", sim::uniform(0, 1), sim::uniform(0, 5)},
      {"row 4, eta ~ U(0,10)", sim::uniform(0, 1), sim::uniform(0, 10)},
      {"row 4, eta ~ U(0,100)", sim::uniform(0, 1), sim::uniform(0, 100)},
      {"row 4, both U(0,10)", sim::uniform(0, 10), sim::uniform(0, 10)},
  };
  std::printf("Other readings of the notation (same pairs and seed)\n");
  std::printf("%-38s | %-32s | min    sum    max\n", "reading", "distributions used");
  for (const Reading& r : readings) {
    const sim::Correlations c = sim::correlate(r.xi, r.eta, o.samples, o.seed);
    const std::string used = r.xi.name() + ", " + r.eta.name();
    std::printf("%-38s | %-32s | %.3f  %.3f  %.3f\n", r.what, used.c_str(), c.min, c.sum, c.max);
  }
  std::printf("\n");
}

int run(const Options& o) {
  std::vector<sim::Correlations> measured;
  for (const sim::SlideRow& r : sim::slide_rows())
    measured.push_back(sim::correlate(r.xi, r.eta, o.samples, o.seed));
  std::printf("%s", sim::format_correlations(sim::slide_rows(), measured, o.samples, o.seed).c_str());
  std::printf("* the slides print U(0,1) for eta twice; U(0, 10) reproduces their second row.\n\n");
  if (o.alternatives) print_alternatives(o);

  const sim::DistanceTable table = sim::distance_table(sim::grid(o.table_step, o.k_max, o.table_step), o.vs);
  std::printf("%s", sim::format_distance(table).c_str());
  const sim::DistanceTable fine = sim::distance_table(sim::grid(o.plot_step, o.k_max, o.plot_step), o.vs);
  std::printf("argmin over k in steps of %g:", o.plot_step);
  for (std::size_t j = 0; j < fine.vs.size(); ++j)
    std::printf("  v=%g: k=%.2f", fine.vs[j], fine.argmin_k(j));
  std::printf("\n");
  std::fflush(stdout);
  if (!o.plot.empty() && !plot(fine, o)) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "Reproduces the MinConvNet slides' similarity table and the distance L(k, v) (docs/similarity.md)"};
  app.add_option("--samples", o.samples, "Monte Carlo pairs per table row")->check(CLI::Range(2, 1000000000));
  app.add_option("--seed", o.seed, "Seed of std::mt19937_64");
  app.add_option("--v", o.vs, "Variances v of N_f(k, v) for L")->check(CLI::PositiveNumber)->delimiter(',');
  app.add_option("--k-max", o.k_max, "Largest k of the L tables")->check(CLI::Range(0.05, 100.0));
  app.add_option("--table-step", o.table_step, "Step of k in the printed L table")
      ->check(CLI::Range(0.001, 10.0));
  app.add_option("--plot-step", o.plot_step, "Step of k in the plot and the argmin")
      ->check(CLI::Range(0.001, 10.0));
  app.add_option("--plot", o.plot, "Write the plot of L against k to this PNG file (needs gnuplot)");
  app.add_option("--gnuplot", o.gnuplot, "The gnuplot program");
  app.add_flag("--alternatives", o.alternatives, "Also print other readings of the slides' notation");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "minconv-similarity: %s\n", e.what());
    return 2;
  }
}
