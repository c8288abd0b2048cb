#pragma once
// Boot loader: places blobs (weights, images) in memory and reads results back through debug transport
// on the bus, taking no simulated time, as a boot loader or a debugger would.
#include <cstdint>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

namespace minconv::platform {

class Loader : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Loader> socket;

  explicit Loader(const sc_core::sc_module_name& name);

  // Throw std::runtime_error naming the address if the bus does not take every byte.
  void write(uint32_t address, const void* data, std::size_t bytes);
  void read(uint32_t address, void* data, std::size_t bytes);
  std::vector<uint8_t> read(uint32_t address, std::size_t bytes);

 private:
  void access(tlm::tlm_command cmd, uint32_t address, unsigned char* data, std::size_t bytes);
};

}  // namespace minconv::platform
