#pragma once
// The pins of one Verilated pe_array behind an interface that does not depend on its size (the models differ
// in their port widths). Implemented by ArrayModelT (array_model_impl.h) for each model of array_models.cpp.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "rtl/bridge/pe_array_bridge.h"

namespace minconv::rtl::detail {

class ArrayModel {
 public:
  virtual ~ArrayModel() = default;

  // A model starts in reset (rst_n low, evaluated); this releases rst_n from the next evaluation on.
  virtual void release_reset() = 0;
  // Inputs, sampled by the next rising clock edge.
  virtual void set_start(bool start, uint32_t k_len) = 0;
  // Step `step` of a fold: w_in[r] = weights[r * k + step], x_in[c] = inputs[c * k + step].
  virtual void set_step(const std::vector<int8_t>& weights, const std::vector<int8_t>& inputs, unsigned k,
                        unsigned step) = 0;
  // Drives clk to `level` and evaluates the model: the registers update when the level rises.
  virtual void clock(bool level) = 0;

  // Outputs (functions of registers only, so valid from the rising edge on).
  virtual bool in_ready() const = 0;
  virtual bool busy() const = 0;
  virtual bool out_valid() const = 0;
  virtual bool done() const = 0;
  virtual unsigned out_row() const = 0;
  virtual int32_t out_acc(unsigned col) const = 0;

  // Port signals into a SystemC trace file (written now, and from then on after every clock()).
  virtual void trace(sc_core::sc_trace_file* tf) = 0;
  virtual void open_vcd(const std::string& path, int levels) = 0;
  virtual void close_vcd() = 0;
};

// The model of `config` (named `name` in its VCD), or nullptr if that configuration was not verilated.
std::unique_ptr<ArrayModel> make_array_model(const ArrayConfig& config, const std::string& name);

}  // namespace minconv::rtl::detail
