#include "platform/router/router.h"

#include <algorithm>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace minconv::platform {

namespace {

constexpr double kMinClockMhz = 1;
constexpr double kMaxClockMhz = 10000;
constexpr unsigned kMaxLatency = 1000;
constexpr unsigned kMaxWidth = 512;

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

bool overlaps(const AddressRange& a, const AddressRange& b) { return a.base <= b.end() && b.base <= a.end(); }

// "'name' [0x..., 0x...]" for messages.
std::string describe(const AddressRange& r) {
  std::ostringstream out;
  out << "'" << r.name << "' [0x" << std::hex << r.base << ", 0x" << r.end() << "]";
  return out.str();
}

}  // namespace

std::optional<std::pair<std::size_t, std::size_t>> find_overlap(const std::vector<AddressRange>& ranges) {
  for (std::size_t j = 0; j < ranges.size(); ++j) {
    if (ranges[j].size == 0) return std::make_pair(j, j);
    for (std::size_t i = 0; i < j; ++i) {
      if (overlaps(ranges[i], ranges[j])) return std::make_pair(i, j);
    }
  }
  return std::nullopt;
}

RouterParams RouterParams::from_yaml(const config::YamlMap& m) {
  RouterParams p;
  p.clock_mhz = m.real_or("clock_mhz", p.clock_mhz, kMinClockMhz, kMaxClockMhz);
  p.latency_cycles = static_cast<unsigned>(m.u64_or("latency_cycles", p.latency_cycles, 0, kMaxLatency));
  p.width_bytes = static_cast<unsigned>(m.u64_or("width_bytes", p.width_bytes, 1, kMaxWidth));
  if (!is_power_of_two(p.width_bytes)) {
    m.fail("width_bytes", "value " + std::to_string(p.width_bytes) + " is not a power of two");
  }
  return p;
}

nlohmann::json RouterParams::to_json() const {
  return {{"clock_mhz", clock_mhz}, {"latency_cycles", latency_cycles}, {"width_bytes", width_bytes}};
}

Router::Router(const sc_core::sc_module_name& name, const RouterParams& params)
    : sc_core::sc_module(name),
      target_socket("target_socket"),
      initiator_socket("initiator_socket"),
      params_(params) {
  std::ostringstream problem;
  if (!(params_.clock_mhz >= kMinClockMhz && params_.clock_mhz <= kMaxClockMhz)) {
    problem << "clock_mhz " << params_.clock_mhz << " is out of range [" << kMinClockMhz << ", "
            << kMaxClockMhz << "]";
  } else if (params_.latency_cycles > kMaxLatency) {
    problem << "latency_cycles " << params_.latency_cycles << " is out of range [0, " << kMaxLatency << "]";
  } else if (!is_power_of_two(params_.width_bytes) || params_.width_bytes > kMaxWidth) {
    problem << "width_bytes " << params_.width_bytes << " must be a power of two in [1, " << kMaxWidth << "]";
  }
  if (!problem.str().empty()) {
    SC_REPORT_ERROR(this->name(), ("invalid parameters: " + problem.str()).c_str());
    params_ = RouterParams{};  // if the report does not throw, run with sane values
  }
  target_socket.register_b_transport(this, &Router::b_transport);
  target_socket.register_transport_dbg(this, &Router::transport_dbg);
  target_socket.register_get_direct_mem_ptr(this, &Router::get_direct_mem_ptr);
  initiator_socket.register_invalidate_direct_mem_ptr(this, &Router::invalidate_direct_mem_ptr);
}

void Router::add_initiator(const std::string& name) {
  if (name.empty()) throw std::invalid_argument(std::string(this->name()) + ": initiator name is empty");
  if (std::find(initiators_.begin(), initiators_.end(), name) != initiators_.end()) {
    throw std::invalid_argument(std::string(this->name()) + ": initiator '" + name + "' added twice");
  }
  initiators_.push_back(name);
}

void Router::add_target(const AddressRange& range) {
  const std::string me = name();
  if (range.name.empty()) throw std::invalid_argument(me + ": target name is empty");
  for (const AddressRange& t : targets_) {
    if (t.name == range.name) throw std::invalid_argument(me + ": target '" + range.name + "' added twice");
  }
  if (range.size == 0) {
    std::ostringstream msg;
    msg << me << ": target '" << range.name << "' at 0x" << std::hex << range.base << " has zero size";
    throw std::invalid_argument(msg.str());
  }
  if (range.size - 1 > std::numeric_limits<uint64_t>::max() - range.base) {
    std::ostringstream msg;
    msg << me << ": target '" << range.name << "' at 0x" << std::hex << range.base << " with size 0x"
        << range.size << " extends past the end of the 64-bit address space";
    throw std::invalid_argument(msg.str());
  }
  for (const AddressRange& t : targets_) {
    if (overlaps(t, range)) {
      throw std::invalid_argument(me + ": target " + describe(range) + " overlaps target " + describe(t));
    }
  }
  targets_.push_back(range);
}

void Router::start_of_simulation() {
  if (target_socket.size() != initiators_.size()) {
    SC_REPORT_ERROR(name(),
                    ("target_socket has " + std::to_string(target_socket.size()) +
                     " initiators bound but add_initiator() named " + std::to_string(initiators_.size()))
                        .c_str());
  }
  if (initiator_socket.size() != targets_.size()) {
    SC_REPORT_ERROR(name(), ("initiator_socket has " + std::to_string(initiator_socket.size()) +
                             " targets bound but add_target() described " + std::to_string(targets_.size()))
                                .c_str());
  }
}

std::optional<std::size_t> Router::decode(uint64_t address, uint64_t span) const {
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    const AddressRange& t = targets_[i];
    if (address < t.base || address > t.end()) continue;
    // The access must end inside the same range (span 0 is judged by its start address alone).
    if (span > 0 && span - 1 > t.end() - address) return std::nullopt;
    return i;
  }
  return std::nullopt;
}

sc_core::sc_time Router::cycles_to_time(uint64_t cycles) const {
  return sc_core::sc_time(static_cast<double>(cycles) * 1e3 / params_.clock_mhz, sc_core::SC_NS);
}

Router::RouteStats& Router::route(int initiator, std::size_t target) {
  const auto i = static_cast<std::size_t>(initiator);
  if (routes_.size() <= i) routes_.resize(i + 1);
  if (routes_[i].size() <= target) routes_[i].resize(target + 1);
  return routes_[i][target];
}

void Router::b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t address = trans.get_address();
  const uint64_t length = trans.get_data_length();
  const uint64_t width = trans.get_streaming_width();
  // A streaming burst (width < length) touches only the first `width` bytes of address space.
  const uint64_t span = (width > 0 && width < length) ? width : length;
  const std::optional<std::size_t> target = decode(address, span);
  if (!target) {
    ++unmapped_;
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    std::ostringstream msg;
    msg << "unmapped access at 0x" << std::hex << address << " (" << std::dec << length << " bytes)";
    SC_REPORT_INFO_VERB(name(), msg.str().c_str(), sc_core::SC_DEBUG);
    return;
  }

  // The bus is one shared, pipelined resource: the arbitration and address phase (latency) may overlap
  // another transaction's data, the data beats use the bus one transaction at a time. The target sees the
  // transaction when its data has crossed the bus (store and forward).
  const uint64_t bytes = trans.get_command() == tlm::TLM_IGNORE_COMMAND ? 0 : length;
  const uint64_t beats = (bytes + params_.width_bytes - 1) / params_.width_bytes;
  const sc_core::sc_time occupancy = cycles_to_time(beats);
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const timing::SharedResource::Slot slot =
      data_bus_.reserve(now + delay, cycles_to_time(params_.latency_cycles), occupancy);
  delay = slot.end - now;

  trans.set_address(address - targets_[*target].base);
  initiator_socket[static_cast<int>(*target)]->b_transport(trans, delay);
  trans.set_address(address);

  RouteStats& r = route(id, *target);
  if (trans.is_response_ok()) {
    r.traffic.record(trans.get_command(), bytes, occupancy);
  } else {
    r.traffic.busy += occupancy;
    ++r.errors;
  }
  if (trace_ != nullptr) {
    const bool ok = trans.is_response_ok();
    trace_->counter(counter_, slot.start, slot.end, ok && trans.is_read() ? bytes : 0,
                    ok && trans.is_write() ? bytes : 0);
  }
}

unsigned Router::transport_dbg(int /*id*/, tlm::tlm_generic_payload& trans) {
  const uint64_t address = trans.get_address();
  const std::optional<std::size_t> target = decode(address, trans.get_data_length());
  if (!target) return 0;
  trans.set_address(address - targets_[*target].base);
  const unsigned n = initiator_socket[static_cast<int>(*target)]->transport_dbg(trans);
  trans.set_address(address);
  return n;
}

bool Router::get_direct_mem_ptr(int /*id*/, tlm::tlm_generic_payload& /*trans*/, tlm::tlm_dmi& /*dmi*/) {
  return false;  // DMI is not offered: every access goes through b_transport and is timed and counted
}

void Router::invalidate_direct_mem_ptr(int /*id*/, sc_dt::uint64 /*start*/, sc_dt::uint64 /*end*/) {
  // No DMI pointer is ever handed out, so there is nothing to invalidate upstream.
}

TrafficStats Router::route_traffic(std::size_t initiator, std::size_t target) const {
  if (initiator >= routes_.size() || target >= routes_[initiator].size()) return {};
  return routes_[initiator][target].traffic;
}

TrafficStats Router::traffic() const {
  TrafficStats total;
  for (const auto& row : routes_) {
    for (const RouteStats& r : row) total += r.traffic;
  }
  return total;
}

nlohmann::json Router::stats_json() const {
  nlohmann::json j = traffic().to_json();
  nlohmann::json routes = nlohmann::json::object();
  for (std::size_t i = 0; i < initiators_.size(); ++i) {
    nlohmann::json per_target = nlohmann::json::object();
    for (std::size_t t = 0; t < targets_.size(); ++t) {
      const bool used = i < routes_.size() && t < routes_[i].size();
      nlohmann::json cell = used ? routes_[i][t].traffic.to_json() : TrafficStats{}.to_json();
      cell["errors"] = used ? routes_[i][t].errors : 0;
      per_target[targets_[t].name] = std::move(cell);
    }
    routes[initiators_[i]] = std::move(per_target);
  }
  j["routes"] = std::move(routes);
  j["unmapped_accesses"] = unmapped_;
  j["wait_ns"] = data_bus_.wait_time().to_seconds() * 1e9;
  return j;
}

}  // namespace minconv::platform
