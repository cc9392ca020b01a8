// The gdb stub of a running machine: a gdb connection on a character
// backend (-s, -gdb tcp::PORT, -gdb unix:PATH,server=on, -gdb chardev:ID,
// the monitor's gdbserver), its packets (gdb_session.h), and run control
// through the run loop (system/debugger.h): the machine stops when gdb
// attaches, runs on `continue`/`stepi`, and stops again at an exact
// instruction count at a breakpoint, watchpoint, step, Ctrl-C or, in a
// replay, the end of the recording. Reverse execution (`bs`, `bc`) in a
// replay moves through it with ReplayNavigation only (gdb_reverse.cc).
//
// Debugger writes (registers, memory) are refused while recording or
// replaying: a recording must replay without the debugger, and a replay
// must follow its recording (docs/gdb.md).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "accel/tcg/debug_stops.h"
#include "chardev/char_backend.h"
#include "gdbstub/gdb_session.h"
#include "gdbstub/packet.h"
#include "system/debugger.h"

namespace rwd {

class Machine;
class Engine;
class RunLoop;
class ReplayNavigation;

struct GdbMachine {
  Machine& machine;
  Engine& engine;
  RunLoop& loop;
  bool recording = false;
  bool replaying = false;
  ReplayNavigation* nav = nullptr;  // replay only
  std::function<std::string(const std::string&)> monitor;  // qRcmd: a monitor command's output
};

class GdbServer : public Debugger, private CharReceiver, private gdb::GdbTarget {
 public:
  GdbServer(CharBackend& chr, GdbMachine m);
  ~GdbServer() override;
  GdbServer(const GdbServer&) = delete;
  GdbServer& operator=(const GdbServer&) = delete;

  // Debugger.
  bool holds_machine() const override { return held_ && !navigating_; }
  void serve() override;
  void stopped() override;
  bool run_ended(int exit_code) override;

 private:
  // CharReceiver.
  // While a monitor command runs (replay_seek replays, polling the host)
  // the stub takes no input: the bytes wait in the chardev, which would
  // otherwise hand the packet being served to it again.
  size_t can_receive() override { return in_monitor_ ? 0 : 1 << 16; }
  void receive(const uint8_t* data, size_t len) override;
  void char_event(CharEvent e) override;

  // gdb::GdbTarget.
  const std::vector<gdb::RegDesc>& registers() override { return regs_; }
  bool read_register(const gdb::RegDesc& r, std::vector<uint8_t>& bytes) override;
  bool write_register(const gdb::RegDesc& r, uint64_t value) override;
  size_t read_memory(uint64_t addr, uint8_t* buf, size_t len) override;
  bool write_memory(uint64_t addr, const uint8_t* buf, size_t len) override;
  std::string write_refusal() const override;
  bool replaying() const override { return m_.replaying && m_.nav; }  // reverse execution possible
  DebugStops& stops() override { return stops_; }
  void stops_changed() override;
  void resume(gdb::Resume how) override;
  std::string monitor(const std::string& command) override;
  void detach() override;
  void kill() override;
  void disconnected();

  void handle_items(std::vector<gdb::PacketDecoder::Item>& items);
  void send(const std::string& body);
  void report(const std::string& stop_reply);
  std::string hit_reply(const DebugHit& hit) const;
  void engine_stops(bool on);
  bool csr_access(uint16_t num, bool write, uint64_t& value);

  // Reverse execution (gdb_reverse.cc).
  struct Point {
    uint64_t icount;
    uint64_t pc;
    int priv;
    bool operator==(const Point&) const = default;
  };
  struct Hit {
    uint64_t icount;
    uint64_t pc;
    DebugHit what;
  };
  Point here() const;
  void reverse_step();
  void reverse_continue();
  void nav_seek(uint64_t icount);
  bool step_forward();
  bool back_one();
  void land_on_hit(const Hit& h);

  CharBackend& chr_;
  GdbMachine m_;
  std::vector<gdb::RegDesc> regs_;
  std::unique_ptr<gdb::GdbSession> session_;
  gdb::PacketDecoder decoder_;
  DebugStops stops_;
  bool engine_debug_on_ = false;
  bool connected_ = false;
  bool held_ = false;
  bool at_end_ = false;       // a replay reached the end of its recording
  bool navigating_ = false;   // reverse execution is running the machine
  bool busy_ = false;         // serving a request: input waits in backlog_
  bool interrupt_ = false;    // Ctrl-C during reverse execution
  bool in_monitor_ = false;   // serving qRcmd
  bool first_point_known_ = true;
  uint64_t resume_icount_ = 0;  // where the last forward resume started  // here() is the first stop point of its count
  enum class Pending { kNone, kReverseStep, kReverseContinue } pending_ = Pending::kNone;
  std::vector<uint8_t> backlog_;
  std::vector<Hit> scan_hits_;
};

}  // namespace rwd
