// The session's gdb stub (-s, -gdb DEV, the monitor's gdbserver): its
// character device, its monitor for gdb's `monitor` commands, and in a
// replay the navigation its reverse execution moves with.
#include "chardev/char_spec.h"
#include "gdbstub/gdb_server.h"
#include "gdbstub/restart_navigation.h"
#include "replay/navigator.h"
#include "replay/replay.h"
#include "system/vm.h"

namespace rwd {

std::string Vm::gdbserver(const std::string& dev) {
  if (dev == "none") {
    if (!gdb_) return "No gdbserver to stop\n";
    loop_->set_debugger(nullptr);
    gdb_.reset();
    return "Disabled gdbserver\n";
  }
  if (gdb_) return "gdbserver: already running; 'gdbserver none' stops it\n";
  CharBackend* chr;
  try {
    ChardevSpec spec = parse_legacy_chardev("-gdb", dev, "gdb");
    if (!spec.ref.empty()) {
      chr = chardevs_->attach(spec.ref);
    } else {
      if (spec.backend != "socket") return "gdbserver: " + dev + ": use tcp:[HOST]:PORT, unix:PATH,server=on or chardev:ID\n";
      // As QEMU's -gdb: a listening socket that does not wait for gdb.
      spec.props.emplace("server", "on");
      spec.props.emplace("wait", "off");
      if (chardevs_->has(spec.id)) return "gdbserver: a chardev 'gdb' exists already\n";
      chardevs_->add(spec);
      chr = chardevs_->attach(spec.id);
    }
  } catch (const ChardevError& e) {
    return std::string("gdbserver: ") + e.what() + "\n";
  }
  const bool replaying = replay_ && replay_->replaying();
  // Reverse execution moves with the replay's own navigation (in-memory
  // snapshots, replay/navigator.h) where it is available. Otherwise going
  // back needs the machine as it was at count 0: only a stub there from the
  // start can offer it, by replaying from the start.
  const bool navigable = navigator_ && navigator_->unavailable().empty();
  if (replaying && !navigable && !gdb_nav_ && machine_->cpu().s.icount == 0)
    gdb_nav_ = std::make_unique<RestartNavigation>(*machine_, *engine_, *loop_, *replay_, fingerprint());
  if (!gdb_monitor_) gdb_monitor_ = std::make_unique<Hmp>(gdb_monitor_chr_, *this);
  GdbMachine m{*machine_, *engine_, *loop_};
  m.recording = replay_ && !replaying;
  m.replaying = replaying;
  m.nav = navigable ? static_cast<ReplayNavigation*>(navigator_.get()) : gdb_nav_.get();
  m.monitor = [this](const std::string& line) { return gdb_monitor_->execute(line); };
  gdb_ = std::make_unique<GdbServer>(*chr, std::move(m));
  loop_->set_debugger(gdb_.get());
  return "Waiting for gdb connection on device '" + dev + "'\n";
}

}  // namespace rwd
