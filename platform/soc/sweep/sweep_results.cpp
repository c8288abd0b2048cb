#include "platform/soc/sweep/sweep_results.h"

#include <fstream>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

namespace minconv::platform::sweep {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The first line of a point's log that says what went wrong.
std::string first_error(const std::string& log) {
  std::stringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find("error") != std::string::npos || line.find("MISMATCH") != std::string::npos) return line;
  }
  return log.empty() ? "no output" : log.substr(0, log.find('\n'));
}

void read_report(const nlohmann::json& j, Result& r) {
  const nlohmann::json& run = j.at("runs").at(0);
  const nlohmann::json& t = run.at("total");
  r.pe = run.at("pe");
  r.rows = run.at("array").at("rows");
  r.cols = run.at("array").at("cols");
  r.area_nand2 = run.at("area_nand2");
  r.cycles = t.at("cycles");
  r.latency_us = t.at("latency_us");
  r.dram_bytes = t.at("dram_read_bytes").get<double>() + t.at("dram_write_bytes").get<double>();
  r.bandwidth_gbps = t.at("bandwidth_gbps");
  r.utilization = t.at("pe_utilization");
  r.energy_uj = t.at("energy_uj");
  r.bound_cycles = t.at("bound_cycles");
  r.x_bound = t.at("x_bound");
  r.images = run.at("images");
  r.batch = run.at("batch");
  const nlohmann::json& stream = run.at("stream");
  r.stream_cycles = stream.at("cycles");
  r.images_per_s = stream.at("images_per_s");
  r.latency_min = stream.at("latency_cycles").at("min");
  r.latency_mean = stream.at("latency_cycles").at("mean");
  r.latency_max = stream.at("latency_cycles").at("max");
  if (run.contains("accuracy")) r.accuracy = run.at("accuracy");
  r.host_seconds = run.at("host_seconds");
  const nlohmann::json& c = j.at("config");
  r.peak_bytes_per_cycle = c.at("dram").at("clock_mhz").get<double>() *
                           c.at("dram").at("bytes_per_cycle").get<double>() /
                           c.at("accel").at("clock_mhz").get<double>();
  for (const nlohmann::json& l : run.at("layers")) {
    r.layers.push_back({l.at("name"), l.at("macs"), l.at("cycles"),
                        l.at("dram_read_bytes").get<double>() + l.at("dram_write_bytes").get<double>()});
  }
}

}  // namespace

std::vector<Result> collect(const Spec& spec, const std::string& dir) {
  std::vector<Result> out;
  for (const Point& p : expand(spec)) {
    Result r;
    r.point = p;
    const std::string pd = dir + "/points/" + p.id;
    const std::string code = read_text(pd + "/exit_code");
    if (code.empty()) {
      r.error = "did not run";
    } else if (std::stoi(code) != 0) {
      r.error = "exit " + code.substr(0, code.find('\n')) + ": " + first_error(read_text(pd + "/log.txt"));
    } else {
      try {
        read_report(nlohmann::json::parse(read_text(pd + "/report.json")), r);
        r.ok = true;
      } catch (const std::exception& e) {
        r.error = std::string("unreadable report: ") + e.what();
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string results_csv(const Spec& spec, const std::vector<Result>& results) {
  std::ostringstream csv;
  csv << std::setprecision(15);  // counts exact (cycles, bytes), not rounded to the stream's 6 digits
  csv << "point";
  for (const Axis& a : spec.axes) csv << "," << a.key;
  csv << ",status,pe,rows,cols,pes,area_nand2,cycles,latency_us,dram_bytes,bandwidth_gbps,pe_utilization,"
         "energy_uj,bound_cycles,x_bound,accuracy,images,batch_size,stream_cycles,images_per_s,image_latency_"
         "min,"
         "image_latency_mean,image_latency_max,host_seconds,error\n";
  for (const Result& r : results) {
    csv << r.point.id;
    for (const std::string& v : r.point.values) csv << "," << v;
    csv << "," << (r.ok ? "ok" : "failed") << "," << r.pe << "," << r.rows << "," << r.cols << ","
        << r.rows * r.cols << "," << r.area_nand2 << "," << r.cycles << "," << r.latency_us << ","
        << r.dram_bytes << "," << r.bandwidth_gbps << "," << r.utilization << "," << r.energy_uj << ","
        << r.bound_cycles << "," << r.x_bound << ",";
    if (r.accuracy >= 0) csv << r.accuracy;
    std::string error = r.error;
    for (char& c : error) c = (c == ',' || c == '\n' || c == '"') ? ';' : c;
    csv << "," << r.images << "," << r.batch << "," << r.stream_cycles << "," << r.images_per_s << ","
        << r.latency_min << "," << r.latency_mean << "," << r.latency_max << "," << r.host_seconds << ","
        << error << "\n";
  }
  return csv.str();
}

std::set<std::string> points_in_csv(const std::string& path) {
  std::set<std::string> ids;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (!line.empty()) ids.insert(line.substr(0, line.find(',')));
  }
  return ids;
}

}  // namespace minconv::platform::sweep
