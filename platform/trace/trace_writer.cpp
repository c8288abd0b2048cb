#include "platform/trace/trace_writer.h"

#include <stdexcept>

#include "platform/trace/process_trace.h"

namespace minconv::platform::trace {

const char* to_string(Detail d) {
  switch (d) {
    case Detail::kLayers:
      return "layers";
    case Detail::kTiles:
      return "tiles";
    default:
      return "folds";
  }
}

std::optional<Detail> parse_detail(std::string_view text) {
  for (Detail d : {Detail::kLayers, Detail::kTiles, Detail::kFolds}) {
    if (text == to_string(d)) return d;
  }
  return std::nullopt;
}

uint64_t to_ps(const sc_core::sc_time& t) {
  static const uint64_t ps_per_tick =
      static_cast<uint64_t>(sc_core::sc_get_time_resolution() / sc_core::sc_time(1, sc_core::SC_PS) + 0.5);
  return t.value() * ps_per_tick;
}

std::string us_text(uint64_t ps) {
  std::string text = std::to_string(ps / 1000000);
  uint64_t frac = ps % 1000000;
  if (frac == 0) return text;
  std::string digits = std::to_string(frac);
  digits.insert(0, 6 - digits.size(), '0');
  while (digits.back() == '0') digits.pop_back();
  return text + "." + digits;
}

namespace {
std::string json_string(std::string_view s) { return nlohmann::json(std::string(s)).dump(); }
}  // namespace

TraceWriter::TraceWriter(const std::string& path, const TraceOptions& options)
    : path_(path), options_(options), out_(path) {
  if (!out_) throw std::runtime_error("cannot create the trace file " + path);
  out_ << "{\"traceEvents\":[";
}

TraceWriter::~TraceWriter() { close(); }

ProcessTrace& TraceWriter::add_process(const std::string& name) {
  const auto pid = static_cast<unsigned>(processes_.size() + 1);
  processes_.push_back(std::make_unique<ProcessTrace>(*this, pid, name));
  return *processes_.back();
}

void TraceWriter::line(const std::string& text) {
  out_ << (first_ ? "\n" : ",\n") << text;
  first_ = false;
}

void TraceWriter::metadata(unsigned pid, TrackId tid, const char* what, const nlohmann::json& args) {
  line("{\"ph\":\"M\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) +
       ",\"name\":" + json_string(what) + ",\"args\":" + args.dump() + "}");
}

void TraceWriter::slice(unsigned pid, TrackId tid, std::string_view name, uint64_t start_ps, uint64_t end_ps,
                        const nlohmann::json& args) {
  if (slices_ >= options_.max_slices) {
    ++dropped_;
    return;
  }
  ++slices_;
  std::string text = "{\"ph\":\"X\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) +
                     ",\"ts\":" + us_text(start_ps) + ",\"dur\":" + us_text(end_ps - start_ps) +
                     ",\"name\":" + json_string(name);
  if (args.is_object() && !args.empty()) text += ",\"args\":" + args.dump();
  line(text + "}");
}

void TraceWriter::counter_sample(unsigned pid, const std::string& name, uint64_t at_ps,
                                 const nlohmann::json& args) {
  ++samples_;
  line("{\"ph\":\"C\",\"pid\":" + std::to_string(pid) + ",\"ts\":" + us_text(at_ps) +
       ",\"name\":" + json_string(name) + ",\"args\":" + args.dump() + "}");
}

bool TraceWriter::close() {
  if (closed_) return static_cast<bool>(out_);
  closed_ = true;
  nlohmann::json windows = nlohmann::json::object();
  for (auto& p : processes_) windows[p->name()] = p->write_counters();
  nlohmann::json other = {{"generator", "minconv-sim"},  {"detail", to_string(options_.detail)},
                          {"slices", slices_},           {"slice_limit", options_.max_slices},
                          {"slices_left_out", dropped_}, {"counter_window_us", windows}};
  out_ << "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":" << other.dump() << "}\n";
  out_.close();
  return static_cast<bool>(out_);
}

}  // namespace minconv::platform::trace
