// One gdb connection's commands (gdb's manual, appendix E, "Packets" and
// "General Query Packets"): registers, memory, breakpoints and
// watchpoints, run control (forward and, in a replay, reverse), monitor
// commands, detach and kill. The machine is behind GdbTarget, so the
// protocol is tested without one. Malformed packets and out-of-range
// requests get error replies (`E..`), never a crash.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accel/tcg/debug_stops.h"
#include "gdbstub/riscv_registers.h"

namespace rwd::gdb {

enum class Resume { kContinue, kStep, kReverseStep, kReverseContinue };

class GdbTarget {
 public:
  virtual ~GdbTarget() = default;
  virtual const std::vector<RegDesc>& registers() = 0;
  // Little-endian bytes of register `r` (its bitsize); false when it cannot be read.
  virtual bool read_register(const RegDesc& r, std::vector<uint8_t>& bytes) = 0;
  virtual bool write_register(const RegDesc& r, uint64_t value) = 0;
  // Guest virtual memory through the hart's current translation, RAM and
  // ROM only. Returns how many bytes from the start could be read.
  virtual size_t read_memory(uint64_t addr, uint8_t* buf, size_t len) = 0;
  virtual bool write_memory(uint64_t addr, const uint8_t* buf, size_t len) = 0;
  // Why the debugger may not change the machine now ("" when it may).
  virtual std::string write_refusal() const = 0;
  virtual bool replaying() const = 0;
  // The breakpoints and watchpoints the session keeps; call stops_changed() after a change.
  virtual DebugStops& stops() = 0;
  virtual void stops_changed() = 0;
  // Starts the machine; its stop reply arrives later (GdbSession::stopped).
  virtual void resume(Resume how) = 0;
  virtual std::string monitor(const std::string& command) = 0;
  virtual void detach() = 0;
  virtual void kill() = 0;
};

class GdbSession {
 public:
  explicit GdbSession(GdbTarget& target) : target_(target) {}

  // One packet's body; returns the reply body, or nothing when the machine
  // was started (its stop reply comes through stopped()).
  std::optional<std::string> handle(const std::string& packet);
  // The machine stopped: remembers the stop reply (for `?`) and returns it.
  std::string stopped(const std::string& stop_reply);
  bool no_ack() const { return no_ack_; }
  bool running() const { return running_; }

 private:
  std::optional<std::string> query(const std::string& p);
  std::string read_registers();
  std::string write_registers(const std::string& hex);
  std::string read_register(const std::string& arg);
  std::string write_register(const std::string& arg);
  std::string read_memory(const std::string& arg);
  std::string write_memory(const std::string& arg, bool binary);
  std::string breakpoint(const std::string& p, bool insert);
  std::optional<std::string> vpacket(const std::string& p);
  std::optional<std::string> resume(Resume how);
  const RegDesc* find_register(uint64_t regno);

  GdbTarget& target_;
  bool no_ack_ = false;
  bool running_ = false;
  std::string last_stop_ = "S05";
  std::string xml_;
};

}  // namespace rwd::gdb
