// One emulator session, built from the command line: record/replay (when
// asked), the host loop and character devices, the board, the execution
// engine, the monitors and the run loop, created in the order they depend on
// each other. The monitor controls the session through MonitorTarget.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "accel/tcg/engine.h"
#include "chardev/char_registry.h"
#include "chardev/char_replay_tap.h"
#include "hw/riscv/virt.h"
#include "monitor/hmp.h"
#include "monitor/monitor_target.h"
#include "monitor/qmp.h"
#include "net/net_set.h"
#include "replay/input.h"
#include "system/drive_set.h"
#include "system/options.h"
#include "system/run_loop.h"
#include "ui/display.h"
#include "ui/input.h"
#include "ui/input_commands.h"
#include "util/host_loop.h"

namespace rwd {

class ReplayController;
class Navigator;
class ReplayNavigation;
class GdbServer;
class VncServer;

class Vm : public MonitorTarget {
 public:
  // Throws BootError, DecodeError, ChardevError or std::runtime_error with a
  // one-line message. `opts` may gain a seed (a recording picks one).
  Vm(Options& opts, int argc, char** argv);
  ~Vm() override;

  // -M dumpdtb=FILE: the tree is written and there is nothing to run.
  bool dump_only() const { return !opts_.dumpdtb.empty(); }
  int run();

  VirtMachine& machine() { return *machine_; }
  Engine& engine() { return *engine_; }
  RunLoop& loop() { return *loop_; }
  // The machine's keyboard and pointer input (ui/input.h): where host
  // sources such as a VNC server send their batches.
  InputRouter& input_router() { return *input_router_; }
  // Moving through a replay (replay/navigation.h): null unless replaying.
  ReplayNavigation* navigation();
  // Pushes queued console output to the host.
  void flush_output() { chardevs_->flush_all(); }
  // Whole-machine state (migration/snapshot.h) to and from a file; errors
  // are one line.
  void save_state(const std::string& path);
  void load_state(const std::string& path);

  // MonitorTarget (system/vm_monitor.cc).
  std::string run_state() const override { return loop_->run_state(); }
  void pause() override { loop_->pause(); }
  void resume() override { loop_->resume(); }
  std::string request_reset() override { return loop_->request_reset(); }
  void request_quit() override { loop_->request_quit(); }
  std::string registers_text() override;
  bool read_phys(uint64_t pa, void* buf, size_t len) override;
  bool read_virt(uint64_t va, void* buf, size_t len) override;
  std::string mtree_text() override;
  std::string qtree_text() override;
  std::string replay_text() override;
  std::string vm_name() const override { return opts_.name; }
  std::string block_text() override { return drives_->info_text(); }
  std::string network_text() override { return nets_->info_text(); }
  std::string migrate(const std::string& uri) override;
  ReplayStatus replay_status() override;
  bool singlestep() const override { return opts_.singlestep; }
  InputCommands* input_commands() override { return input_commands_.get(); }
  // Named snapshots (system/vm_snapshots.cc).
  std::string savevm(const std::string& name) override;
  std::string loadvm(const std::string& name) override;
  std::string delvm(const std::string& name) override;
  std::string snapshots_text() override;
  std::string replay_break(uint64_t icount) override;
  std::string replay_delete_break() override;
  std::string replay_seek(uint64_t icount) override;
  std::string gdbserver(const std::string& dev) override;  // system/vm_gdb.cc
  std::string screendump(const std::string& path, const std::string& device, int64_t head, const std::string& format,
                         std::string& error_class) override;  // system/vm_display.cc
  // The machine's consoles (console 0 is the first display device's).
  DisplaySet& displays() { return *displays_; }

 private:
  int run_probe();  // -rr-probe (system/vm_probe.cc)
  // Named snapshots: where they go (the writable qcow2 disks, else the
  // snapshot store file), taking, loading (throw std::runtime_error /
  // DecodeError with one line), and the start-up options -loadvm and
  // rrsnapshot=.
  struct SnapshotPlace;
  SnapshotPlace snapshot_place(const char* cmd);
  std::string store_path() const;
  std::string plain_store_path() const;
  void save_named(const std::string& name, uint8_t store_flags = 0);
  void load_named(const std::string& name, bool record_start_only = false);
  void delete_named(const std::string& name);
  void start_from_snapshots();

  std::string fingerprint() const;

  Options& opts_;
  std::unique_ptr<ReplayController> replay_;
  DirectInputPath direct_input_;
  std::unique_ptr<HostClock> host_clock_;
  std::unique_ptr<HostEntropy> host_entropy_;
  std::unique_ptr<HostLoop> host_loop_;
  // Keyboard and pointer input: through the input path to the devices.
  std::unique_ptr<InputRouter> input_router_;
  std::unique_ptr<InputCommands> input_commands_;
  std::unique_ptr<DriveSet> drives_;  // outlives the devices that use it
  std::unique_ptr<CharRegistry> chardevs_;  // outlives the netdevs' guestfwd= forwards
  std::unique_ptr<NetSet> nets_;  // outlives the NICs that use it
  std::unique_ptr<DisplaySet> displays_;  // the consoles; outlives the display devices that draw in them
  std::vector<std::unique_ptr<CharReplayTap>> taps_;  // one per serial port
  std::unique_ptr<VirtMachine> machine_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<RunLoop> loop_;
  std::unique_ptr<Navigator> navigator_;  // replay only
  CharBackend* serial_ = nullptr;
  std::vector<std::unique_ptr<Hmp>> monitors_;
  std::vector<std::unique_ptr<Qmp>> qmps_;
  // The gdb stub, its monitor (qRcmd) and, in a replay, its navigation.
  std::unique_ptr<ReplayNavigation> gdb_nav_;
  NullChardev gdb_monitor_chr_;
  std::unique_ptr<Hmp> gdb_monitor_;
  std::unique_ptr<GdbServer> gdb_;
  std::unique_ptr<VncServer> vnc_;  // -vnc; goes first, before what it watches
};

}  // namespace rwd
