#include "platform/soc/workload_report.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>

namespace minconv::platform {

namespace {

Row make_row(const sw::LayerReport& l, const SocConfig& c, const sw::AccelCaps& caps, accel::PeKind kind) {
  Row r;
  r.name = l.name;
  r.where = l.fused ? "fused" : l.on_accel ? "accel" : "cpu";
  r.macs = l.macs;
  const double seconds = static_cast<double>(l.cpu_cycles) / (c.cpu.clock_mhz * 1e6);
  r.latency_us = seconds * 1e6;
  r.cycles = static_cast<uint64_t>(seconds * c.accel->clock_mhz * 1e6 + 0.5);
  r.read = l.dram_read_bytes;
  r.write = l.dram_write_bytes;
  r.gbps = seconds > 0 ? static_cast<double>(r.read + r.write) / seconds / 1e9 : 0;
  r.util =
      r.cycles > 0 ? static_cast<double>(l.accel.active) / (double(caps.rows) * caps.cols * r.cycles) : 0;
  r.stall = l.accel.stall;
  r.energy_uj = c.costs.energy_uj(kind, l.macs, l.accel.buf_read + l.accel.buf_write, r.read + r.write);
  const double peak_bytes_per_cycle = c.dram.peak_bandwidth_bytes_per_s() / (c.accel->clock_mhz * 1e6);
  r.compute_cycles = double(r.macs) / (double(caps.rows) * caps.cols);
  r.memory_cycles = double(r.read + r.write) / peak_bytes_per_cycle;
  r.bound_cycles = std::max(r.compute_cycles, r.memory_cycles);
  return r;
}

Row total_row(const std::vector<Row>& rows, const sw::AccelCaps& caps) {
  Row t;
  t.name = "total";
  double active = 0;
  for (const Row& r : rows) {
    t.macs += r.macs;
    t.cycles += r.cycles;
    t.read += r.read;
    t.write += r.write;
    t.stall += r.stall;
    t.latency_us += r.latency_us;
    t.energy_uj += r.energy_uj;
    active += r.util * double(caps.rows) * caps.cols * double(r.cycles);
    t.compute_cycles += r.compute_cycles;
    t.memory_cycles += r.memory_cycles;
    t.bound_cycles += r.bound_cycles;
  }
  t.gbps = t.latency_us > 0 ? static_cast<double>(t.read + t.write) / (t.latency_us * 1e-6) / 1e9 : 0;
  t.util = t.cycles > 0 ? active / (double(caps.rows) * caps.cols * t.cycles) : 0;
  return t;
}

nlohmann::json row_json(const Row& r) {
  return {{"name", r.name},
          {"where", r.where},
          {"macs", r.macs},
          {"cycles", r.cycles},
          {"latency_us", r.latency_us},
          {"dram_read_bytes", r.read},
          {"dram_write_bytes", r.write},
          {"bandwidth_gbps", r.gbps},
          {"pe_utilization", r.util},
          {"stall_cycles", r.stall},
          {"energy_uj", r.energy_uj},
          {"bound_cycles", r.bound_cycles},
          {"compute_bound_cycles", r.compute_cycles},
          {"memory_bound_cycles", r.memory_cycles},
          {"bound", r.binding()},
          {"x_bound", r.x_bound()}};
}

void print_pair(const std::vector<Row>& a, const std::vector<Row>& b) {
  std::printf(
      "%-8s %-5s %10s | %11s %11s %6s | %10s %6s %6s %3s | %9s %9s | %9s %9s | %8s %8s | %6s %6s | %5s %5s | "
      "%9s %9s | %8s %8s\n",
      "layer", "on", "MACs", "cyc min", "cyc mul", "ratio", "bound min", "xb min", "xb mul", "by", "us min",
      "us mul", "rdKB min", "rdKB mul", "wrKB min", "wrKB mul", "GB/s m", "GB/s x", "util%", "util%",
      "stall min", "stall mul", "uJ min", "uJ mul");
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i + 1 == a.size()) std::printf("%s\n", std::string(220, '-').c_str());
    const Row& x = a[i];
    const Row& y = b[i];
    std::printf(
        "%-8s %-5s %10llu | %11llu %11llu %6.3f | %10.0f %6.2f %6.2f %3s | %9.2f %9.2f | %9.1f %9.1f | %8.1f "
        "%8.1f | %6.2f %6.2f | %5.1f %5.1f | %9llu %9llu | %8.3f %8.3f\n",
        x.name.c_str(), x.where.c_str(), (unsigned long long)x.macs, (unsigned long long)x.cycles,
        (unsigned long long)y.cycles, y.cycles ? double(x.cycles) / double(y.cycles) : 1.0, x.bound_cycles,
        x.x_bound(), y.x_bound(), x.binding_short(), x.latency_us, y.latency_us, x.read / 1024.0,
        y.read / 1024.0, x.write / 1024.0, y.write / 1024.0, x.gbps, y.gbps, 100 * x.util, 100 * y.util,
        (unsigned long long)x.stall, (unsigned long long)y.stall, x.energy_uj, y.energy_uj);
  }
}

void print_single(const std::vector<Row>& a) {
  std::printf("%-8s %-5s %10s | %11s | %10s %6s %3s | %9s | %9s | %8s | %6s | %5s | %9s | %8s\n", "layer",
              "on", "MACs", "cycles", "bound", "xbound", "by", "us", "rdKB", "wrKB", "GB/s", "util%", "stall",
              "uJ");
  for (const Row& x : a) {
    std::printf(
        "%-8s %-5s %10llu | %11llu | %10.0f %6.2f %3s | %9.2f | %9.1f | %8.1f | %6.2f | %5.1f | %9llu | "
        "%8.3f\n",
        x.name.c_str(), x.where.c_str(), (unsigned long long)x.macs, (unsigned long long)x.cycles,
        x.bound_cycles, x.x_bound(), x.binding_short(), x.latency_us, x.read / 1024.0, x.write / 1024.0,
        x.gbps, 100 * x.util, (unsigned long long)x.stall, x.energy_uj);
  }
}

// "min: bit-exact with the golden int8 model on 300 images (every layer); accuracy on the SoC 88.67% ..."
void print_outcome(const PeRun& r, const Workload& wl) {
  const unsigned asked = wl.image_count;
  if (!r.mismatch.empty()) {
    std::printf("%s: MISMATCH against the golden int8 model: %s\n", kind_name(r.kind), r.mismatch.c_str());
    return;
  }
  std::printf("%s: bit-exact with the golden int8 model on %u image%s (every layer), host time %.3f s\n",
              kind_name(r.kind), r.images_run, r.images_run == 1 ? "" : "s", r.host_seconds);
  if (wl.labelled() && r.images_run == asked) {
    const bool trained = wl.trained_weights(r.kind == accel::PeKind::kMin);
    std::printf("%s accuracy: %.2f%% top-1 on the SoC, %u %s test images from index %u (%u correct)%s\n",
                kind_name(r.kind), 100 * r.accuracy(), r.images_run, wl.images.c_str(), wl.image_index,
                r.correct, trained ? "" : "; random weights");
  } else if (!r.predicted.empty()) {
    std::printf("%s: predicted class of image %u: %d\n", kind_name(r.kind), wl.image_index,
                r.predicted.front());
  }
}

}  // namespace

std::vector<Row> run_rows(const PeRun& run, const SocConfig& config) {
  std::vector<Row> rows;
  for (const sw::LayerReport& l : run.report.layers)
    rows.push_back(make_row(l, config, run.report.caps, run.kind));
  rows.push_back(total_row(rows, run.report.caps));
  return rows;
}

StreamFigures stream_figures(const PeRun& run, const SocConfig& c) {
  const double accel_per_cpu = c.accel->clock_mhz / c.cpu.clock_mhz;
  const auto accel_cycles = [&](uint64_t cpu) {
    return static_cast<uint64_t>(double(cpu) * accel_per_cpu + 0.5);
  };
  StreamFigures f;
  f.batch = run.batch;
  f.images = static_cast<unsigned>(run.image_cycles.size());
  f.cycles = accel_cycles(run.stream_cycles);
  f.us = double(run.stream_cycles) / c.cpu.clock_mhz;
  f.images_per_s = f.us > 0 ? f.images / (f.us * 1e-6) : 0;
  f.accel_busy = run.accel_busy;
  double sum = 0;
  for (uint64_t cpu : run.image_cycles) {
    const uint64_t v = accel_cycles(cpu);
    f.latency.push_back(v);
    sum += double(v);
  }
  if (!f.latency.empty()) {
    f.latency_min = *std::min_element(f.latency.begin(), f.latency.end());
    f.latency_max = *std::max_element(f.latency.begin(), f.latency.end());
    f.latency_mean = sum / double(f.latency.size());
  }
  return f;
}

void print_report(const std::vector<PeRun>& runs, const SocConfig& c, const Workload& wl) {
  std::printf("\nSoC: accelerator at %.0f MHz, DRAM peak %.2f GB/s, CPU %.0f MHz\n", c.accel->clock_mhz,
              c.dram.peak_bandwidth_bytes_per_s() / 1e9, c.cpu.clock_mhz);
  for (const PeRun& r : runs) {
    const double area = c.costs.array_nand2(r.kind, r.report.caps.rows, r.report.caps.cols);
    std::printf("  %s: %ux%u PE array, %.0f NAND2-eq (%.4f mm^2, Yosys, PEs only)\n", kind_name(r.kind),
                r.report.caps.rows, r.report.caps.cols, area, area * c.costs.nand2_um2 * 1e-6);
  }
  if (runs.front().batch > 1) {
    std::printf(
        "per inference (image %u, the first of its stream: its last layer also starts loading the next "
        "image):\n",
        wl.image_index);
  } else {
    std::printf("per inference (image %u; the timing does not depend on the image):\n", wl.image_index);
  }
  if (runs.size() == 2) {
    print_pair(run_rows(runs[0], c), run_rows(runs[1], c));
  } else {
    print_single(run_rows(runs[0], c));
  }
  for (const PeRun& r : runs) {
    std::printf("\n%s accelerator, component statistics over %u image%s:\n%s", kind_name(r.kind),
                r.images_run, r.images_run == 1 ? "" : "s",
                format_stats_table(r.soc->stats_sources(), r.soc->elapsed()).c_str());
  }
  std::printf("\n");
  for (const PeRun& r : runs) {
    const Row t = run_rows(r, c).back();
    std::printf(
        "%s: %llu cycles per inference = %.2fx the roofline bound of %.0f cycles (sum over layers of "
        "max(MACs/%u PEs, DRAM bytes/%.1f B per cycle); compute %.0f, memory %.0f)\n",
        kind_name(r.kind), (unsigned long long)t.cycles, t.x_bound(), t.bound_cycles,
        r.report.caps.rows * r.report.caps.cols,
        c.dram.peak_bandwidth_bytes_per_s() / (c.accel->clock_mhz * 1e6), t.compute_cycles, t.memory_cycles);
  }
  for (const PeRun& r : runs) {
    const StreamFigures f = stream_figures(r, c);
    if (f.images == 0) continue;
    const std::string how = f.batch == 1 ? "one at a time" : "in streams of " + std::to_string(f.batch);
    std::printf(
        "%s: %u image%s %s: %llu cycles (%.2f us), %.*f images/s; latency per image min %llu, mean %.0f, max "
        "%llu cycles\n",
        kind_name(r.kind), f.images, f.images == 1 ? "" : "s", how.c_str(), (unsigned long long)f.cycles,
        f.us, f.images_per_s >= 100 ? 0 : 2, f.images_per_s, (unsigned long long)f.latency_min,
        f.latency_mean, (unsigned long long)f.latency_max);
  }
  for (const PeRun& r : runs) print_outcome(r, wl);
}

nlohmann::json report_json(const std::vector<PeRun>& runs, const SocConfig& config,
                           const Workload& workload) {
  nlohmann::json report;
  report["job"] = "workload";
  report["config"] = config.to_json();
  report["workload"] = workload.to_json();
  report["runs"] = nlohmann::json::array();
  for (const PeRun& r : runs) {
    nlohmann::json j;
    j["pe"] = kind_name(r.kind);
    j["array"] = {{"rows", r.report.caps.rows}, {"cols", r.report.caps.cols}};
    j["area_nand2"] = config.costs.array_nand2(r.kind, r.report.caps.rows, r.report.caps.cols);
    const std::vector<Row> rows = run_rows(r, config);
    j["layers"] = nlohmann::json::array();
    for (std::size_t k = 0; k + 1 < rows.size(); ++k) {
      nlohmann::json lj = row_json(rows[k]);
      const sw::LayerReport& l = r.report.layers[k];
      lj["tiles"] = l.tiles;
      lj["output"] = l.output_on_chip ? "on chip" : l.output_in_dram ? "dram" : "pooled on chip";
      if (l.on_accel && !l.fused) {  // the planner's choice (docs/runtime.md "Tiling")
        lj["tiling"] = {{"rows", l.tile_h},     {"cols", l.tile_w},
                        {"channels", l.tile_c}, {"input_channels", l.tile_ic},
                        {"slices", l.slices},   {"weights_outer", l.weights_outer}};
      }
      j["layers"].push_back(lj);
    }
    j["total"] = row_json(rows.back());
    j["bit_exact"] = r.mismatch.empty();
    if (!r.mismatch.empty()) j["mismatch"] = r.mismatch;
    j["images"] = r.images_run;
    if (workload.labelled() && r.mismatch.empty()) j["accuracy"] = 100.0 * r.accuracy();
    j["predicted_class"] = r.predicted.empty() ? -1 : r.predicted.front();
    j["host_seconds"] = r.host_seconds;
    j["host_seconds_calibration"] = r.prepare_seconds;
    j["calibration_cached"] = r.calibration_cached;
    j["simulated_us"] = r.soc->elapsed().to_seconds() * 1e6;
    const StreamFigures f = stream_figures(r, config);
    j["batch"] = f.batch;
    j["stream"] = {
        {"images", f.images},
        {"cycles", f.cycles},
        {"us", f.us},
        {"images_per_s", f.images_per_s},
        {"latency_cycles", {{"min", f.latency_min}, {"mean", f.latency_mean}, {"max", f.latency_max}}},
        {"image_latency_cycles", f.latency},
        {"accel_busy_cycles", f.accel_busy}};
    j["stats"] = stats_to_json(r.soc->stats_sources(), r.soc->elapsed());
    const nlohmann::json cosim = r.soc->accel()->engine_stats();
    if (!cosim.is_null()) j["cosim"] = cosim;
    report["runs"].push_back(j);
  }
  return report;
}

std::string report_csv(const std::vector<PeRun>& runs, const SocConfig& config) {
  std::ostringstream csv;
  csv << std::setprecision(15);  // no figure rounded to the stream's 6 digits (Tiny-YOLOv2's bound: 8 digits)
  csv << "pe,layer,where,macs,cycles,latency_us,dram_read_bytes,dram_write_bytes,bandwidth_gbps,pe_"
         "utilization,"
         "stall_cycles,energy_uj,bound_cycles,bound,x_bound,batch,stream_cycles,images_per_s,"
         "image_latency_min,image_latency_mean,image_latency_max\n";
  for (const PeRun& r : runs) {
    const StreamFigures f = stream_figures(r, config);
    const std::vector<Row> rows = run_rows(r, config);
    for (const Row& a : rows) {
      csv << kind_name(r.kind) << "," << a.name << "," << a.where << "," << a.macs << "," << a.cycles << ","
          << a.latency_us << "," << a.read << "," << a.write << "," << a.gbps << "," << a.util << ","
          << a.stall << "," << a.energy_uj << "," << a.bound_cycles << "," << a.binding() << ","
          << a.x_bound();
      if (&a == &rows.back()) {  // the run's stream figures on its total row
        csv << "," << f.batch << "," << f.cycles << "," << f.images_per_s << "," << f.latency_min << ","
            << f.latency_mean << "," << f.latency_max << "\n";
      } else {
        csv << ",,,,,,\n";
      }
    }
  }
  return csv.str();
}

}  // namespace minconv::platform
