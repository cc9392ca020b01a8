// What the monitor may ask of the machine it controls. The monitor knows
// only this interface, never the machine's class; the system implements it
// in system/vm_monitor.cc, unit tests with a fake.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "monitor/machine_event.h"

namespace rwd {

class InputCommands;

class MonitorTarget {
 public:
  virtual ~MonitorTarget() = default;
  // "running", "paused" (stopped by the monitor), or why it stopped
  // otherwise, as QEMU's run states: "shutdown" (-no-shutdown),
  // "postmigrate" (after migrate).
  virtual std::string run_state() const = 0;
  // stop / cont: the machine stops running guest code between two slices.
  virtual void pause() = 0;
  virtual void resume() = 0;
  // Taken at the next point between CPU slices. Returns why it cannot be
  // taken (empty when it will be).
  virtual std::string request_reset() = 0;
  virtual void request_quit() = 0;
  virtual std::string registers_text() = 0;
  // Guest memory without side effects (RAM and ROM only; virtual addresses
  // through the MMU's debug translation). False when part of it is not there.
  virtual bool read_phys(uint64_t pa, void* buf, size_t len) = 0;
  virtual bool read_virt(uint64_t va, void* buf, size_t len) = 0;
  virtual std::string mtree_text() = 0;
  virtual std::string qtree_text() = 0;
  virtual std::string replay_text() = 0;
  // `info block`: the drives ("" without any).
  virtual std::string block_text() { return ""; }
  // `info network`: each netdev, its filters and its NIC.
  virtual std::string network_text() { return ""; }
  // -name's name ("" without one).
  virtual std::string vm_name() const { return ""; }
  // `migrate URI`: saves the machine's whole state; returns what to print.
  virtual std::string migrate(const std::string& uri) = 0;

  // Replay navigation (HMP replay_break / replay_delete_break / replay_seek,
  // QMP replay-break / replay-delete-break / replay-seek). Each returns what
  // to print: "" when done, else one line saying why not.
  virtual std::string replay_break(uint64_t /*icount*/) { return "replay_break: not replaying\n"; }
  virtual std::string replay_delete_break() { return "replay_delete_break: not replaying\n"; }
  virtual std::string replay_seek(uint64_t /*icount*/) { return "replay_seek: not replaying\n"; }

  // Snapshots by name (HMP savevm / loadvm / delvm / info snapshots).
  virtual std::string savevm(const std::string& /*name*/) { return "savevm: not supported\n"; }
  virtual std::string loadvm(const std::string& /*name*/) { return "loadvm: not supported\n"; }
  virtual std::string delvm(const std::string& /*name*/) { return "delvm: not supported\n"; }
  virtual std::string snapshots_text() { return "There is no snapshot available.\n"; }

  // `screendump FILE`: a console's picture as PPM or PNG (ui/screendump.h).
  // Returns "" when written, else one line (QMP's error class in `error_class`).
  virtual std::string screendump(const std::string& /*path*/, const std::string& /*device*/, int64_t /*head*/,
                                 const std::string& /*format*/, std::string& error_class) {
    error_class = "GenericError";
    return "There is no console to take a screendump from (no display device)\n";
  }

  // `gdbserver [DEV]`: starts the gdb stub on DEV ("none" stops it).
  virtual std::string gdbserver(const std::string& /*dev*/) { return "gdbserver: not supported\n"; }

  // QMP query-replay: mode "none", "record" or "play"; the rrfile; the
  // instruction count now.
  struct ReplayStatus {
    std::string mode = "none";
    std::string filename;
    uint64_t icount = 0;
  };
  virtual ReplayStatus replay_status() { return {}; }
  // sendkey, mouse_move, mouse_button, info mice, QMP send-key and
  // input-send-event (ui/input_commands.h); null without input support.
  virtual InputCommands* input_commands() { return nullptr; }

  // -singlestep (QMP query-status).
  virtual bool singlestep() const { return false; }

  // Run-state events (QMP): the machine calls emit_event; a listener removes
  // itself before it goes away.
  void add_event_listener(MachineEventListener* l) { listeners_.push_back(l); }
  void remove_event_listener(MachineEventListener* l) {
    for (size_t i = 0; i < listeners_.size(); ++i)
      if (listeners_[i] == l) listeners_.erase(listeners_.begin() + static_cast<long>(i--));
  }
  void emit_event(const MachineEvent& e) const {
    std::vector<MachineEventListener*> now = listeners_;  // a listener may remove itself
    for (MachineEventListener* l : now) l->machine_event(e);
  }

 private:
  std::vector<MachineEventListener*> listeners_;
};

}  // namespace rwd
