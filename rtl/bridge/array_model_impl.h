#pragma once
// ArrayModelT: detail::ArrayModel for one Verilated (C++, not SystemC) pe_array class V with R rows, C
// columns and ACC-bit accumulators. Included only by array_models.cpp, after the Verilator headers.
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <systemc>

#include "rtl/bridge/array_model.h"

namespace minconv::rtl::detail {

constexpr unsigned row_bits(unsigned rows) {
  unsigned bits = 1;
  while ((1u << bits) < rows) ++bits;
  return bits;
}

// Verilator's C++ ports: CData/SData/IData/QData up to 64 bits, VlWide<N> (N 32-bit words) beyond.
// pack_bytes: byte i of the port = first[i * stride], i < n.
template <std::size_t N>
void pack_bytes(VlWide<N>& port, const int8_t* first, std::size_t stride, unsigned n) {
  for (std::size_t w = 0; w < N; ++w) port[w] = 0;
  for (unsigned i = 0; i < n; ++i)
    port[i / 4] |= EData{static_cast<uint8_t>(first[i * stride])} << (8 * (i % 4));
}
template <class T>
void pack_bytes(T& port, const int8_t* first, std::size_t stride, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(first[i * stride])} << (8 * i);
  port = static_cast<T>(v);
}

// Bits [lsb, lsb + width) of a port, width <= 32.
template <std::size_t N>
uint64_t port_bits(const VlWide<N>& port, unsigned lsb, unsigned width) {
  uint64_t two = port[lsb / 32];
  if (lsb / 32 + 1 < N) two |= uint64_t{port[lsb / 32 + 1]} << 32;
  return (two >> (lsb % 32)) & ((uint64_t{1} << width) - 1);
}
template <class T>
uint64_t port_bits(const T& port, unsigned lsb, unsigned width) {
  return (uint64_t{port} >> lsb) & ((uint64_t{1} << width) - 1);
}

// A port as a SystemC value of W bits (bool for W = 1), for the port trace.
template <unsigned W>
using Pin = std::conditional_t<W == 1, bool, sc_dt::sc_bv<W>>;
template <unsigned W, std::size_t N>
Pin<W> pin(const VlWide<N>& port) {
  Pin<W> v;
  for (std::size_t w = 0; w < N; ++w) v.set_word(static_cast<int>(w), port[w]);
  return v;
}
template <unsigned W, class T>
Pin<W> pin(const T& port) {
  if constexpr (W == 1) {
    return port != 0;
  } else {
    return Pin<W>(static_cast<uint64_t>(port));
  }
}

template <class V, unsigned R, unsigned C, unsigned ACC>
class ArrayModelT final : public ArrayModel {
  static constexpr unsigned kRowBits = row_bits(R);

 public:
  explicit ArrayModelT(const std::string& name) {
    Verilated::traceEverOn(true);
    model_ = std::make_unique<V>(name.c_str());
    model_->clk = 0;
    model_->rst_n = 0;  // in reset until the first run releases it
    evaluate();
  }
  ~ArrayModelT() override {
    close_vcd();
    model_->final();
  }

  void release_reset() override { model_->rst_n = 1; }
  void set_start(bool start, uint32_t k_len) override {
    model_->start = start;
    model_->k_len = k_len;
  }
  void set_step(const std::vector<int8_t>& weights, const std::vector<int8_t>& inputs, unsigned k,
                unsigned step) override {
    pack_bytes(model_->w_in, weights.data() + step, k, R);
    pack_bytes(model_->x_in, inputs.data() + step, k, C);
  }
  void clock(bool level) override {
    model_->clk = level;
    evaluate();
    if (traced_) write_port_signals();
  }

  bool in_ready() const override { return model_->in_ready; }
  bool busy() const override { return model_->busy; }
  bool out_valid() const override { return model_->out_valid; }
  bool done() const override { return model_->done; }
  unsigned out_row() const override { return model_->out_row; }
  int32_t out_acc(unsigned col) const override {
    const uint64_t raw = port_bits(model_->out_acc, ACC * col, ACC);
    const uint64_t sign = uint64_t{1} << (ACC - 1);
    return static_cast<int32_t>(static_cast<int64_t>(raw ^ sign) - static_cast<int64_t>(sign));
  }

  void trace(sc_core::sc_trace_file* tf) override;
  void open_vcd(const std::string& path, int levels) override {
    if (vcd_) throw std::logic_error("PeArrayBridge: a VCD is already open");
    vcd_ = std::make_unique<VerilatedVcdC>();
    model_->trace(vcd_.get(), levels);
    // SystemC's time resolution and default time unit, as VerilatedVcdSc sets them.
    const sc_core::sc_time second(1, sc_core::SC_SEC);
    vcd_->set_time_unit(sc_core::sc_time(1.0 / second.to_default_time_units(), sc_core::SC_SEC).to_string());
    vcd_->set_time_resolution(sc_core::sc_get_time_resolution().to_string());
    vcd_->open(path.c_str());
    vcd_time_ = sc_core::sc_time_stamp().value();
  }
  void close_vcd() override {
    if (vcd_) {
      vcd_->dump(vcd_time_);
      vcd_->close();
      vcd_.reset();
    }
  }

 private:
  // Evaluates the model. The VCD gets the state at the end of each SystemC time step in which the model
  // changed: written when it is first evaluated at a later time (or the file is closed).
  void evaluate() {
    if (vcd_ && sc_core::sc_time_stamp().value() != vcd_time_) {
      vcd_->dump(vcd_time_);
      vcd_time_ = sc_core::sc_time_stamp().value();
    }
    model_->eval();
  }
  void write_port_signals();

  // Copies of the ports for sc_trace, written only once trace() was called.
  bool traced_ = false;
  sc_core::sc_signal<bool> rst_n_{"rst_n"};
  sc_core::sc_signal<bool> start_{"start"};
  sc_core::sc_signal<sc_dt::sc_bv<32>> k_len_{"k_len"};
  sc_core::sc_signal<Pin<R * 8>> w_in_{"w_in"};
  sc_core::sc_signal<Pin<C * 8>> x_in_{"x_in"};
  sc_core::sc_signal<bool> in_ready_{"in_ready"};
  sc_core::sc_signal<bool> busy_{"busy"};
  sc_core::sc_signal<bool> out_valid_{"out_valid"};
  sc_core::sc_signal<Pin<kRowBits>> out_row_{"out_row"};
  sc_core::sc_signal<Pin<C * ACC>> out_acc_{"out_acc"};
  sc_core::sc_signal<bool> done_{"done"};
  std::unique_ptr<V> model_;
  std::unique_ptr<VerilatedVcdC> vcd_;
  uint64_t vcd_time_ = 0;  // SystemC time (resolution units) of the state not yet dumped
};

template <class V, unsigned R, unsigned C, unsigned ACC>
void ArrayModelT<V, R, C, ACC>::trace(sc_core::sc_trace_file* tf) {
  traced_ = true;
  write_port_signals();  // the values before the first clock edge
  sc_core::sc_trace(tf, rst_n_, rst_n_.name());
  sc_core::sc_trace(tf, start_, start_.name());
  sc_core::sc_trace(tf, k_len_, k_len_.name());
  sc_core::sc_trace(tf, w_in_, w_in_.name());
  sc_core::sc_trace(tf, x_in_, x_in_.name());
  sc_core::sc_trace(tf, in_ready_, in_ready_.name());
  sc_core::sc_trace(tf, busy_, busy_.name());
  sc_core::sc_trace(tf, out_valid_, out_valid_.name());
  sc_core::sc_trace(tf, out_row_, out_row_.name());
  sc_core::sc_trace(tf, out_acc_, out_acc_.name());
  sc_core::sc_trace(tf, done_, done_.name());
}

template <class V, unsigned R, unsigned C, unsigned ACC>
void ArrayModelT<V, R, C, ACC>::write_port_signals() {
  rst_n_.write(model_->rst_n);
  start_.write(model_->start);
  k_len_.write(pin<32>(model_->k_len));
  w_in_.write(pin<R * 8>(model_->w_in));
  x_in_.write(pin<C * 8>(model_->x_in));
  in_ready_.write(model_->in_ready);
  busy_.write(model_->busy);
  out_valid_.write(model_->out_valid);
  out_row_.write(pin<kRowBits>(model_->out_row));
  out_acc_.write(pin<C * ACC>(model_->out_acc));
  done_.write(model_->done);
}

}  // namespace minconv::rtl::detail
