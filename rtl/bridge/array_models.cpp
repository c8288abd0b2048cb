// Every Verilated pe_array of minconv_rtl (the list must match the minconv_rtl_array() calls in
// rtl/CMakeLists.txt) and the lookup by configuration.
#include <sstream>

// Verilator's runtime headers and the generated model headers are third-party code that does not build
// cleanly under the project's -Wall -Wextra -Werror (unused parameters in verilated_types.h). No
// verilated_vcd_sc.h: the models are C++ models (VM_SC=0), whose verilated.h declares a global
// sc_time_stamp() that clashes with SystemC's in that header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <verilated.h>
#include <verilated_vcd_c.h>

#include "Vpe_array_min_16x16.h"
#include "Vpe_array_min_1x1.h"
#include "Vpe_array_min_1x1_a12.h"
#include "Vpe_array_min_1x4.h"
#include "Vpe_array_min_3x5.h"
#include "Vpe_array_min_4x4.h"
#include "Vpe_array_min_8x8.h"
#include "Vpe_array_mul_16x16.h"
#include "Vpe_array_mul_1x1.h"
#include "Vpe_array_mul_1x1_a20.h"
#include "Vpe_array_mul_4x1.h"
#include "Vpe_array_mul_4x4.h"
#include "Vpe_array_mul_5x3.h"
#include "Vpe_array_mul_8x8.h"
#include "rtl/bridge/array_model_impl.h"
#pragma GCC diagnostic pop

namespace minconv::rtl {
namespace detail {
namespace {

using Factory = std::unique_ptr<ArrayModel> (*)(const std::string&);

template <class V, unsigned R, unsigned C, unsigned ACC>
std::unique_ptr<ArrayModel> make_model(const std::string& name) {
  return std::make_unique<ArrayModelT<V, R, C, ACC>>(name);
}

struct ModelEntry {
  ArrayConfig config;
  Factory factory;
};

using golden::PeKind;
const ModelEntry kModels[] = {
    {{4, 4, PeKind::kMin, 32}, &make_model<Vpe_array_min_4x4, 4, 4, 32>},
    {{4, 4, PeKind::kMul, 32}, &make_model<Vpe_array_mul_4x4, 4, 4, 32>},
    {{8, 8, PeKind::kMin, 32}, &make_model<Vpe_array_min_8x8, 8, 8, 32>},
    {{8, 8, PeKind::kMul, 32}, &make_model<Vpe_array_mul_8x8, 8, 8, 32>},
    {{16, 16, PeKind::kMin, 32}, &make_model<Vpe_array_min_16x16, 16, 16, 32>},
    {{16, 16, PeKind::kMul, 32}, &make_model<Vpe_array_mul_16x16, 16, 16, 32>},
    {{1, 1, PeKind::kMin, 32}, &make_model<Vpe_array_min_1x1, 1, 1, 32>},
    {{1, 1, PeKind::kMul, 32}, &make_model<Vpe_array_mul_1x1, 1, 1, 32>},
    {{1, 4, PeKind::kMin, 32}, &make_model<Vpe_array_min_1x4, 1, 4, 32>},
    {{4, 1, PeKind::kMul, 32}, &make_model<Vpe_array_mul_4x1, 4, 1, 32>},
    {{3, 5, PeKind::kMin, 32}, &make_model<Vpe_array_min_3x5, 3, 5, 32>},
    {{5, 3, PeKind::kMul, 32}, &make_model<Vpe_array_mul_5x3, 5, 3, 32>},
    {{1, 1, PeKind::kMin, 12}, &make_model<Vpe_array_min_1x1_a12, 1, 1, 12>},
    {{1, 1, PeKind::kMul, 20}, &make_model<Vpe_array_mul_1x1_a20, 1, 1, 20>},
};

}  // namespace

std::unique_ptr<ArrayModel> make_array_model(const ArrayConfig& config, const std::string& name) {
  for (const auto& m : kModels) {
    if (m.config.rows == config.rows && m.config.cols == config.cols && m.config.kind == config.kind &&
        m.config.acc_width == config.acc_width) {
      return m.factory(name);
    }
  }
  return nullptr;
}

}  // namespace detail

const std::vector<ArrayConfig>& supported_configs() {
  static const std::vector<ArrayConfig> configs = [] {
    std::vector<ArrayConfig> v;
    for (const auto& m : detail::kModels) v.push_back(m.config);
    return v;
  }();
  return configs;
}

std::string supported_configs_string() {
  std::ostringstream os;
  bool first = true;
  for (const auto& c : supported_configs()) {
    os << (first ? "" : ", ") << c.rows << "x" << c.cols << " "
       << (c.kind == golden::PeKind::kMin ? "min" : "mul");
    if (c.acc_width != 32) os << " (acc " << c.acc_width << " bits)";
    first = false;
  }
  return os.str();
}

}  // namespace minconv::rtl
