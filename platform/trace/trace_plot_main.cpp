// minconv-trace-plot: the timeline picture of a trace written by minconv-sim --trace (docs/trace.md).
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "platform/trace/timeline_plot.h"

int main(int argc, char* argv[]) {
  namespace tr = minconv::platform::trace;
  CLI::App app{
      "minconv-trace-plot: draws a trace (minconv-sim --trace FILE.json, Chrome trace-event JSON) as a\n"
      "timeline: one lane per track with its slices as boxes over simulated time, one lane per busy-% "
      "counter.\n"
      "Writes OUT.dat and OUT.gp (gnuplot data and script) beside OUT.png and runs gnuplot.\n"
      "Exit codes: 0 picture written, 1 gnuplot failed, 2 bad arguments or not a trace."};
  std::string trace_path;
  tr::PlotOptions o;
  app.add_option("trace", trace_path, "the trace (JSON)")->required();
  app.add_option("png", o.png_path, "the picture to write (PNG)")->required();
  app.add_option("--process", o.process, "draw only this process (e.g. soc_min; default: every process)");
  app.add_option("--title", o.title, "title of the picture (default: the trace's file name)");
  app.add_flag("--all-counters", o.all_counters,
               "also draw counter series that are not percentages (e.g. GB/s), scaled to their maximum");
  app.add_option("--width", o.width, "picture width in pixels (default 1400)")->check(CLI::Range(400, 10000));
  app.add_option("--gnuplot", o.gnuplot, "the gnuplot program (default: gnuplot on the PATH)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  std::ifstream in(trace_path);
  if (!in) {
    std::cerr << "minconv-trace-plot: error: cannot open " << trace_path << "\n";
    return 2;
  }
  if (o.title.empty()) o.title = trace_path.substr(trace_path.rfind('/') + 1);
  tr::Timeline timeline;
  try {
    timeline = tr::Timeline::read(in);
  } catch (const std::exception& e) {
    std::cerr << "minconv-trace-plot: error: " << trace_path << ": " << e.what() << "\n";
    return 2;
  }
  std::string problem;
  try {
    problem = tr::plot_timeline(timeline, o);
  } catch (const std::invalid_argument& e) {
    std::cerr << "minconv-trace-plot: error: " << trace_path << ": " << e.what() << "\n";
    return 2;
  }
  if (!problem.empty()) {
    std::cerr << "minconv-trace-plot: error: " << problem << "\n";
    return 1;
  }
  std::cout << "minconv-trace-plot: " << timeline.events << " events -> " << o.png_path << "\n";
  return 0;
}
