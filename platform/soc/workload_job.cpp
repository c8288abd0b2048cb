#include "platform/soc/workload_job.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "platform/soc/simulation.h"
#include "platform/soc/soc.h"
#include "sw/runtime/network_runtime.h"

namespace minconv::platform {

namespace {

// One simulated inference with one PE kind.
struct PeRun {
  accel::PeKind kind = accel::PeKind::kMin;
  golden::QuantModel model;
  std::vector<golden::LayerOutput> golden_out;
  sw::ModelLayout layout;
  sw::RunReport report;
  std::unique_ptr<Soc> soc;
  std::string mismatch;  // first difference against the golden model, empty if bit-exact
  int predicted = -1;
  double host_seconds = 0;
  double accuracy = -1;  // top-1 on the workload's accuracy images (golden int8 model), -1 if not measured
};

const char* kind_name(accel::PeKind k) { return k == accel::PeKind::kMin ? "min" : "mul"; }

// Per-layer figures derived from the runtime's report, in accelerator cycles.
struct Row {
  std::string name, where;
  uint64_t macs = 0, cycles = 0, read = 0, write = 0, stall = 0;
  double latency_us = 0, gbps = 0, util = 0, energy_uj = 0;
};

Row make_row(const sw::LayerReport& l, const SocConfig& c, const sw::AccelCaps& caps, accel::PeKind kind) {
  Row r;
  r.name = l.name;
  r.where = l.on_accel ? "accel" : "cpu";
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
  return r;
}

Row total_row(const std::vector<Row>& rows, const SocConfig& c, const sw::AccelCaps& caps) {
  Row t;
  t.name = "total";
  t.where = "";
  uint64_t active = 0;
  for (const Row& r : rows) {
    t.macs += r.macs;
    t.cycles += r.cycles;
    t.read += r.read;
    t.write += r.write;
    t.stall += r.stall;
    t.latency_us += r.latency_us;
    t.energy_uj += r.energy_uj;
    active += static_cast<uint64_t>(r.util * double(caps.rows) * caps.cols * double(r.cycles) + 0.5);
  }
  t.gbps = t.latency_us > 0 ? static_cast<double>(t.read + t.write) / (t.latency_us * 1e-6) / 1e9 : 0;
  t.util = t.cycles > 0 ? static_cast<double>(active) / (double(caps.rows) * caps.cols * t.cycles) : 0;
  (void)c;
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
          {"energy_uj", r.energy_uj}};
}

std::string compare_outputs(const PeRun& run, Loader& loader) {
  for (std::size_t i = 0; i < run.model.layers.size(); ++i) {
    const golden::LayerOutput& want = run.golden_out[i];
    const std::vector<uint8_t> got = loader.read(run.layout.outputs[i], run.layout.output_bytes[i]);
    const std::size_t n = want.is_raw ? want.raw.size() : want.q.size();
    for (std::size_t k = 0; k < n; ++k) {
      int64_t g = 0, w = 0;
      if (want.is_raw) {
        int32_t v;
        std::memcpy(&v, got.data() + 4 * k, 4);
        g = v;
        w = want.raw.data[k];
      } else {
        g = static_cast<int8_t>(got[k]);
        w = want.q.data[k];
      }
      if (g != w) {
        std::ostringstream s;
        s << "layer '" << run.model.layers[i].name << "' element " << k << ": simulated " << g << ", golden "
          << w;
        return s.str();
      }
    }
  }
  return "";
}

void print_report(const std::vector<PeRun>& runs, const std::vector<std::vector<Row>>& rows,
                  const SocConfig& c) {
  const bool two = runs.size() == 2;
  const auto& caps = runs[0].report.caps;
  std::printf("\nSoC: accelerator at %.0f MHz, DRAM peak %.2f GB/s, CPU %.0f MHz\n", c.accel->clock_mhz,
              c.dram.peak_bandwidth_bytes_per_s() / 1e9, c.cpu.clock_mhz);
  for (const PeRun& r : runs) {
    const double area = c.costs.array_nand2(r.kind, r.report.caps.rows, r.report.caps.cols);
    std::printf("  %s: %ux%u PE array, %.0f NAND2-eq (%.4f mm^2, Yosys, PEs only)\n", kind_name(r.kind),
                r.report.caps.rows, r.report.caps.cols, area, area * c.costs.nand2_um2 * 1e-6);
  }
  if (two) {
    std::printf(
        "%-8s %-5s %10s | %11s %11s %6s | %9s %9s | %9s %9s | %8s %8s | %6s %6s | %5s %5s | %9s %9s | %8s "
        "%8s\n",
        "layer", "on", "MACs", "cyc min", "cyc mul", "ratio", "us min", "us mul", "rdKB min", "rdKB mul",
        "wrKB min", "wrKB mul", "GB/s m", "GB/s x", "util%", "util%", "stall min", "stall mul", "uJ min",
        "uJ mul");
    for (std::size_t i = 0; i < rows[0].size() + 1; ++i) {
      const Row a = i < rows[0].size() ? rows[0][i] : total_row(rows[0], c, caps);
      const Row b = i < rows[1].size() ? rows[1][i] : total_row(rows[1], c, runs[1].report.caps);
      if (i == rows[0].size()) std::printf("%s\n", std::string(190, '-').c_str());
      std::printf(
          "%-8s %-5s %10llu | %11llu %11llu %6.3f | %9.2f %9.2f | %9.1f %9.1f | %8.1f %8.1f | %6.2f %6.2f | "
          "%5.1f %5.1f | %9llu %9llu | %8.3f %8.3f\n",
          a.name.c_str(), a.where.c_str(), (unsigned long long)a.macs, (unsigned long long)a.cycles,
          (unsigned long long)b.cycles, b.cycles ? double(a.cycles) / double(b.cycles) : 0.0, a.latency_us,
          b.latency_us, a.read / 1024.0, b.read / 1024.0, a.write / 1024.0, b.write / 1024.0, a.gbps, b.gbps,
          100 * a.util, 100 * b.util, (unsigned long long)a.stall, (unsigned long long)b.stall, a.energy_uj,
          b.energy_uj);
    }
  } else {
    std::printf("%-8s %-5s %10s | %11s | %9s | %9s | %8s | %6s | %5s | %9s | %8s\n", "layer", "on", "MACs",
                "cycles", "us", "rdKB", "wrKB", "GB/s", "util%", "stall", "uJ");
    for (std::size_t i = 0; i < rows[0].size() + 1; ++i) {
      const Row a = i < rows[0].size() ? rows[0][i] : total_row(rows[0], c, caps);
      std::printf("%-8s %-5s %10llu | %11llu | %9.2f | %9.1f | %8.1f | %6.2f | %5.1f | %9llu | %8.3f\n",
                  a.name.c_str(), a.where.c_str(), (unsigned long long)a.macs, (unsigned long long)a.cycles,
                  a.latency_us, a.read / 1024.0, a.write / 1024.0, a.gbps, 100 * a.util,
                  (unsigned long long)a.stall, a.energy_uj);
    }
  }
  for (const PeRun& r : runs) {
    std::printf("\n%s accelerator, component statistics:\n%s", kind_name(r.kind),
                format_stats_table(r.soc->stats_sources(), r.soc->elapsed()).c_str());
  }
  std::printf("\n");
  for (const PeRun& r : runs) {
    std::printf(
        "%s: %s, predicted class %d, host time %.3f s, simulated %.3f us\n", kind_name(r.kind),
        r.mismatch.empty() ? "bit-exact with the golden int8 model" : ("MISMATCH: " + r.mismatch).c_str(),
        r.predicted, r.host_seconds, r.soc->elapsed().to_seconds() * 1e6);
  }
}

// --vcd: one trace file for every SoC of the run (hierarchical names), opened before the simulation starts.
// SystemC appends ".vcd" to the name it is given; a path without that suffix is renamed after closing.
struct VcdFile {
  std::string path;
  sc_core::sc_trace_file* file = nullptr;
  void open(const std::string& p, const std::vector<Soc*>& socs) {
    path = p;
    const bool suffix = p.size() > 4 && p.compare(p.size() - 4, 4, ".vcd") == 0;
    file = sc_core::sc_create_vcd_trace_file((suffix ? p.substr(0, p.size() - 4) : p).c_str());
    for (Soc* soc : socs) {
      soc->trace(file);
      if (soc->accel() != nullptr) soc->accel()->trace_engine(file);  // the RTL engine: clock + array ports
    }
  }
  bool close() {
    if (file == nullptr) return true;
    sc_core::sc_close_vcd_trace_file(file);
    file = nullptr;
    const bool suffix = path.size() > 4 && path.compare(path.size() - 4, 4, ".vcd") == 0;
    return suffix || std::rename((path + ".vcd").c_str(), path.c_str()) == 0;
  }
};

// --cosim: "co-simulation: N folds, ..." from the RTL engine's counters (none for the C++ engine).
void print_cosim_line(const char* kind, const nlohmann::json& c) {
  if (c.is_null()) return;
  const uint64_t mismatches = c["mismatches"];
  std::printf("%s: co-simulation: %llu folds, %llu array cycles, %.0f cycles per host second, %s\n", kind,
              static_cast<unsigned long long>(c["folds"].get<uint64_t>()),
              static_cast<unsigned long long>(c["array_cycles"].get<uint64_t>()),
              c["cycles_per_host_second"].get<double>(),
              mismatches == 0 ? "all tiles bit-exact and cycle-exact with the C++ engine"
                              : (std::to_string(mismatches) + " tiles MISMATCH the C++ engine").c_str());
}

}  // namespace

int run_workload_job(const SocConfig& config, const Workload& workload, const WorkloadOptions& wopt,
                     const RunOptions& options) {
  if (!config.accel) {
    std::cerr << "minconv-sim: error: " << config.source
              << " has no accel section: a workload needs the accelerator\n";
    return kExitConfig;
  }
  const auto say = [&](const std::string& s) {
    if (!options.quiet) std::cout << "minconv-sim: " << s << "\n" << std::flush;
  };
  say("workload " + workload.name + " (" + workload.source + ") on " + config.source);
  int label = -1;
  const golden::TensorF image = workload.test_image(&label);
  const std::vector<golden::TensorF> calib = workload.calibration_set();

  std::vector<accel::PeKind> kinds;
  if (wopt.compare) {
    kinds = {accel::PeKind::kMin, accel::PeKind::kMul};
  } else {
    kinds = {config.accel->pe};
  }
  std::vector<PeRun> runs(kinds.size());
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    PeRun& run = runs[i];
    run.kind = kinds[i];
    const bool min = run.kind == accel::PeKind::kMin;
    say(std::string("calibrating and quantizing for the ") + kind_name(run.kind) + " accelerator");
    const golden::FloatNetwork net = workload.network_for(min);
    const golden::Calibration cal =
        golden::calibrate(net, calib, min ? golden::FloatMode::kMinConv : golden::FloatMode::kStandard);
    run.model = golden::quantize(net, cal, min ? golden::PeKind::kMin : golden::PeKind::kMul);
    if (workload.accuracy_images > 0) {
      // Accuracy of this int8 model (the one the SoC runs bit-exactly) over the first test images.
      std::vector<golden::TensorF> images;
      std::vector<uint8_t> labels;
      workload.test_set(workload.accuracy_images, images, labels);
      unsigned correct = 0;
      for (std::size_t k = 0; k < images.size(); ++k) {
        correct +=
            golden::classify(run.model, golden::quantize_input(run.model, images[k])) == labels[k] ? 1 : 0;
      }
      run.accuracy = static_cast<double>(correct) / static_cast<double>(images.size());
    }
    const golden::Tensor8 qin = golden::quantize_input(run.model, image);
    run.golden_out = golden::run_int8(run.model, qin);
    SocConfig c = config;
    c.accel->pe = run.kind;
    if (wopt.compare && !min) {  // the multiplier baseline may have its own array (iso-area comparisons)
      c.accel->rows = config.baseline_rows;
      c.accel->cols = config.baseline_cols;
    }
    run.layout = sw::plan_layout(run.model, c.map.dram, static_cast<uint32_t>(c.dram.size));
    const hal::SocInfo info = c.soc_info();
    PeRun* r = &run;
    run.soc = std::make_unique<Soc>(
        (std::string("soc_") + kind_name(run.kind)).c_str(), c, [r, info, qin, &say](hal::Hal& hal) {
          // Boot loader: weights, post-scales and the image go to DRAM through debug transport (no time).
          Loader& loader = r->soc->loader();
          loader.write(r->layout.input, qin.data.data(), qin.size());
          for (std::size_t l = 0; l < r->model.layers.size(); ++l) {
            const golden::QuantLayer& layer = r->model.layers[l];
            if (r->layout.weights[l] == 0) continue;
            loader.write(r->layout.weights[l], layer.weights.data(), layer.weights.size());
            const std::vector<uint8_t> post = sw::post_scale_bytes(layer);
            loader.write(r->layout.post[l], post.data(), post.size());
          }
          const auto t0 = std::chrono::steady_clock::now();
          sw::NetworkRuntime runtime(hal, info);
          r->report = runtime.run(r->model, r->layout, [&](const sw::LayerReport& l) {
            say(std::string("  ") + kind_name(r->kind) + ": " + l.name + " done (" + std::to_string(l.tiles) +
                " tiles)");
          });
          r->host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          return 0;
        });
  }
  std::vector<Soc*> socs;
  for (PeRun& r : runs) socs.push_back(r.soc.get());
  VcdFile vcd;
  if (!options.vcd_path.empty()) vcd.open(options.vcd_path, socs);
  say("simulating");
  std::string why;
  const bool finished = run_in_sequence(socs, why);
  if (!vcd.close()) {
    std::cerr << "minconv-sim: error: cannot write " << options.vcd_path << "\n";
    return kExitFailed;
  }
  if (!finished) {
    std::cerr << "minconv-sim: error: " << why << "\n";
    return kExitFailed;
  }
  bool ok = error_count() == 0;
  std::vector<std::vector<Row>> rows;
  for (PeRun& r : runs) {
    if (r.soc->cpu().exit_code() != 0) {
      std::cerr << "minconv-sim: error: " << r.soc->name() << ": " << r.soc->cpu().failure() << "\n";
      return kExitFailed;
    }
    r.mismatch = compare_outputs(r, r.soc->loader());
    ok = ok && r.mismatch.empty();
    const golden::LayerOutput& last = r.golden_out.back();
    r.predicted = golden::argmax(golden::dequantize_logits(r.model, last.raw));
    std::vector<Row> rs;
    for (const sw::LayerReport& l : r.report.layers) rs.push_back(make_row(l, config, r.report.caps, r.kind));
    rows.push_back(rs);
  }
  print_report(runs, rows, config);
  for (PeRun& r : runs) {
    const nlohmann::json cosim = r.soc->accel()->engine_stats();
    print_cosim_line(kind_name(r.kind), cosim);
    if (!cosim.is_null()) ok = ok && cosim["mismatches"].get<uint64_t>() == 0;
  }
  if (label >= 0) std::printf("image %u label: %d\n", workload.image_index, label);
  for (const PeRun& r : runs) {
    if (r.accuracy >= 0) {
      std::printf(
          "%s accuracy: %.2f%% top-1 on the first %u Fashion-MNIST test images (the golden int8 model; the "
          "SoC ran image %u bit-exactly with it)%s\n",
          kind_name(r.kind), 100 * r.accuracy, workload.accuracy_images, workload.image_index,
          (r.kind == accel::PeKind::kMin ? workload.min_weights : workload.mul_weights).empty()
              ? "; random weights"
              : "");
    }
  }

  if (!options.report_path.empty() || !wopt.csv_path.empty()) {
    nlohmann::json report;
    report["job"] = "workload";
    report["config"] = config.to_json();
    report["workload"] = workload.to_json();
    report["runs"] = nlohmann::json::array();
    std::ofstream csv;
    if (!wopt.csv_path.empty()) {
      csv.open(wopt.csv_path);
      csv << "pe,layer,where,macs,cycles,latency_us,dram_read_bytes,dram_write_bytes,bandwidth_gbps,pe_"
             "utilization,"
             "stall_cycles,energy_uj\n";
    }
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const PeRun& r = runs[i];
      nlohmann::json j;
      j["pe"] = kind_name(r.kind);
      j["array"] = {{"rows", r.report.caps.rows}, {"cols", r.report.caps.cols}};
      j["area_nand2"] = config.costs.array_nand2(r.kind, r.report.caps.rows, r.report.caps.cols);
      j["layers"] = nlohmann::json::array();
      std::vector<Row> all = rows[i];
      all.push_back(total_row(rows[i], config, r.report.caps));
      for (std::size_t k = 0; k < all.size(); ++k) {
        if (k + 1 < all.size()) {
          nlohmann::json lj = row_json(all[k]);
          lj["tiles"] = r.report.layers[k].tiles;
          j["layers"].push_back(lj);
        } else {
          j["total"] = row_json(all[k]);
        }
        if (csv.is_open()) {
          const Row& a = all[k];
          csv << kind_name(r.kind) << "," << a.name << "," << a.where << "," << a.macs << "," << a.cycles
              << "," << a.latency_us << "," << a.read << "," << a.write << "," << a.gbps << "," << a.util
              << "," << a.stall << "," << a.energy_uj << "\n";
        }
      }
      j["bit_exact"] = r.mismatch.empty();
      if (!r.mismatch.empty()) j["mismatch"] = r.mismatch;
      j["predicted_class"] = r.predicted;
      if (r.accuracy >= 0) j["accuracy"] = r.accuracy;
      j["host_seconds"] = r.host_seconds;
      j["simulated_us"] = r.soc->elapsed().to_seconds() * 1e6;
      j["stats"] = stats_to_json(r.soc->stats_sources(), r.soc->elapsed());
      const nlohmann::json cosim = r.soc->accel()->engine_stats();
      if (!cosim.is_null()) j["cosim"] = cosim;
      report["runs"].push_back(j);
    }
    if (!options.report_path.empty()) {
      std::ofstream out(options.report_path);
      out << report.dump(2) << "\n";
      if (!out) {
        std::cerr << "minconv-sim: error: cannot write " << options.report_path << "\n";
        return kExitFailed;
      }
    }
    if (csv.is_open() && !csv) {
      std::cerr << "minconv-sim: error: cannot write " << wopt.csv_path << "\n";
      return kExitFailed;
    }
  }
  return ok ? kExitOk : kExitFailed;
}

}  // namespace minconv::platform
