// The host side of a character device (serial console, monitor): bytes out
// to the host, bytes in from the host. Devices talk only to this interface.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>

namespace rwd {

class CharBackend {
 public:
  virtual ~CharBackend() = default;
  virtual void write(const uint8_t* data, size_t len) = 0;
  // Host input is delivered to the frontend device through this callback.
  std::function<void(const uint8_t* data, size_t len)> on_input;
  // How many bytes the frontend can take now (flow control); 0 stops input.
  std::function<size_t()> can_accept;
};

}  // namespace rwd
