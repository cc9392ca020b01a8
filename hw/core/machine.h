// What a board is to the rest of the system: the run loop, record/replay and
// snapshots see a machine only through this interface. The board owns the
// hart, memory, the virtual clock and its devices; the execution engine,
// the host loop and the run loop are the system's (system/).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "util/byte_codec.h"

namespace rwd {

namespace riscv {
class Cpu;
}
class AddressSpace;
class VirtualClock;

// A part of the machine's state besides the CPU, RAM and the virtual clock
// (a device, the board's random generator), under a name that stays the
// same from run to run: what a snapshot saves and a checkpoint hashes.
struct StatePart {
  std::string name;
  std::function<void(ByteWriter&)> save;
  std::function<void(ByteReader&)> load;  // throws DecodeError on bad input
};

class Machine {
 public:
  virtual ~Machine() = default;
  virtual riscv::Cpu& cpu() = 0;
  virtual AddressSpace& address_space() = 0;
  virtual VirtualClock& clock() = 0;
  // Back to the power-on state, as the reset line does: images reloaded,
  // every device and the hart reset. Translations must be dropped by the
  // caller (the engine is not the machine's).
  virtual void reset() = 0;
  // Every part with state, in a fixed order.
  virtual std::vector<StatePart> state_parts() = 0;

  // What the guest asks of the host that ends or restarts the run, called
  // while the asking instruction executes. Set by the run loop.
  std::function<void(int status)> on_power_off;
  std::function<void()> on_reset_request;
};

}  // namespace rwd
