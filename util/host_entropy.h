// The one place where the machine reads host randomness for the guest
// (virtio-rng). Devices never call getrandom() themselves: they get a
// HostEntropy from the board, so that record/replay can wrap it, log every
// answer on record and feed the same bytes back on replay.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rwd {

class HostEntropy {
 public:
  virtual ~HostEntropy() = default;
  // Fills buf[0..len) completely. Called synchronously from the guest's
  // device access that asks for the bytes, never from a background thread.
  virtual void fill(uint8_t* buf, size_t len) = 0;
};

// The host kernel's random pool (getrandom(2)).
class SystemHostEntropy : public HostEntropy {
 public:
  void fill(uint8_t* buf, size_t len) override;
};

}  // namespace rwd
