#include "platform/loader/loader.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace minconv::platform {

Loader::Loader(const sc_core::sc_module_name& name) : sc_core::sc_module(name), socket("socket") {}

void Loader::access(tlm::tlm_command cmd, uint32_t address, unsigned char* data, std::size_t bytes) {
  constexpr std::size_t kChunk = 1 << 16;
  while (bytes > 0) {
    const auto n = static_cast<unsigned>(std::min(bytes, kChunk));
    tlm::tlm_generic_payload p;
    p.set_command(cmd);
    p.set_address(address);
    p.set_data_ptr(data);
    p.set_data_length(n);
    const unsigned done = socket->transport_dbg(p);
    if (done != n) {
      std::ostringstream msg;
      msg << name() << ": " << (cmd == tlm::TLM_READ_COMMAND ? "read" : "write") << " of " << n
          << " bytes at 0x" << std::hex << address << " failed (" << std::dec << done
          << " bytes handled): is the address range mapped?";
      throw std::runtime_error(msg.str());
    }
    address += n;
    data += n;
    bytes -= n;
  }
}

void Loader::write(uint32_t address, const void* data, std::size_t bytes) {
  access(tlm::TLM_WRITE_COMMAND, address, static_cast<unsigned char*>(const_cast<void*>(data)), bytes);
}

void Loader::read(uint32_t address, void* data, std::size_t bytes) {
  access(tlm::TLM_READ_COMMAND, address, static_cast<unsigned char*>(data), bytes);
}

std::vector<uint8_t> Loader::read(uint32_t address, std::size_t bytes) {
  std::vector<uint8_t> out(bytes);
  read(address, out.data(), bytes);
  return out;
}

}  // namespace minconv::platform
