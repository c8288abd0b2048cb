#include "platform/soc/trace_session.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <optional>
#include <utility>

#include "platform/config/yaml_map.h"
#include "platform/trace/process_trace.h"

namespace minconv::platform {

namespace {

[[noreturn]] void bad(const std::string& flag, const std::string& why) {
  throw config::ConfigError(flag + ": error: " + why);
}

// A whole number in [lo, hi] written with digits only, or nullopt.
std::optional<uint64_t> whole(const std::string& text, uint64_t lo, uint64_t hi) {
  if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const uint64_t v = std::stoull(text);
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

// A decimal number in [lo, hi], or nullopt.
std::optional<double> real(const std::string& text, double lo, double hi) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(v >= lo && v <= hi)) return std::nullopt;
  return v;
}

}  // namespace

TraceRequest parse_trace_flags(const std::string& path, const TraceFlags& f) {
  const std::pair<const char*, const std::string*> given[] = {{"--trace-detail", &f.detail},
                                                              {"--trace-limit", &f.limit},
                                                              {"--trace-images", &f.images},
                                                              {"--trace-window", &f.window}};
  for (const auto& [flag, value] : given) {
    if (path.empty() && !value->empty())
      throw config::ConfigError(std::string("minconv-sim: error: ") + flag + " needs --trace FILE.json");
  }
  TraceRequest r;
  r.path = path;
  if (!f.detail.empty()) {
    const std::optional<trace::Detail> d = trace::parse_detail(f.detail);
    if (!d) bad("--trace-detail", "expected layers, tiles or folds, got '" + f.detail + "'");
    r.options.detail = *d;
  }
  if (!f.limit.empty()) {
    const std::optional<uint64_t> n = whole(f.limit, 1, 1000000000);
    if (!n) bad("--trace-limit", "expected a number of slices from 1 to 1000000000, got '" + f.limit + "'");
    r.options.max_slices = *n;
  }
  if (f.images == "all") {
    r.images = std::numeric_limits<unsigned>::max();
  } else if (!f.images.empty()) {
    const std::optional<uint64_t> n = whole(f.images, 1, std::numeric_limits<unsigned>::max());
    if (!n) bad("--trace-images", "expected a positive number of images or 'all', got '" + f.images + "'");
    r.images = static_cast<unsigned>(*n);
  }
  if (!f.window.empty()) {
    const std::optional<double> us = real(f.window, 0.001, 1e6);
    if (!us) bad("--trace-window", "expected microseconds from 0.001 to 1000000, got '" + f.window + "'");
    r.options.window = sc_core::sc_time(*us, sc_core::SC_US);
  }
  return r;
}

TraceSession::TraceSession(const TraceRequest& request)
    : request_(request), writer_(request.path, request.options) {}

void TraceSession::attach(Soc& soc) { soc.attach_trace(&writer_.add_process(soc.name())); }

void TraceSession::on_image(Soc& soc, std::size_t k, bool begin) const {
  if (k >= request_.images) return;
  if (begin) {
    soc.cpu().phase_begin("image " + std::to_string(k), false);
    return;
  }
  soc.cpu().phase_end();
  if (k + 1 == request_.images) soc.attach_trace(nullptr);
}

bool TraceSession::close(bool quiet) {
  if (!writer_.close()) {
    std::cerr << "minconv-sim: error: cannot write the trace " << request_.path << "\n";
    return false;
  }
  if (writer_.slices_dropped() > 0) {
    std::cerr << "minconv-sim: warning: --trace: the limit of " << request_.options.max_slices
              << " slices was reached and " << writer_.slices_dropped()
              << " later slices were left out (raise --trace-limit, or --trace-detail layers)\n";
  }
  if (!quiet) {
    struct stat st {};
    const double bytes = stat(request_.path.c_str(), &st) == 0 ? static_cast<double>(st.st_size) : 0.0;
    const bool mb = bytes >= 1e6;
    std::printf(
        "minconv-sim: trace %s: %llu slices, %llu counter samples, %.1f %s (detail %s; open it in "
        "ui.perfetto.dev)\n",
        request_.path.c_str(), static_cast<unsigned long long>(writer_.slices_written()),
        static_cast<unsigned long long>(writer_.counter_samples()), mb ? bytes / 1e6 : bytes / 1e3,
        mb ? "MB" : "kB", trace::to_string(request_.options.detail));
  }
  return true;
}

}  // namespace minconv::platform
