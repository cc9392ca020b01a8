#include "system/vm.h"

#include <chrono>

#include "gdbstub/gdb_server.h"
#include "hw/riscv/boot.h"
#include "migration/snapshot.h"
#include "net/slirp_guestfwd.h"
#include "replay/navigator.h"
#include "replay/replay.h"
#include "replay/navigation.h"
#include "replay/replay_config.h"
#include "ui/vnc.h"

namespace rwd {

Vm::Vm(Options& opts, int argc, char** argv) : opts_(opts) {
  // Record/replay wraps every host source before the machine reads it.
  host_clock_ = std::make_unique<SystemHostClock>();
  host_entropy_ = std::make_unique<SystemHostEntropy>();
  if (!opts.icount.rr.empty() && opts.dumpdtb.empty()) {
    replay_ = std::make_unique<ReplayController>(opts, argc, argv);
    host_clock_ = replay_->wrap(std::move(host_clock_));
    host_entropy_ = replay_->wrap(std::move(host_entropy_));
  }
  InputPath& input = replay_ ? static_cast<InputPath&>(*replay_) : direct_input_;
  host_loop_ = std::make_unique<HostLoop>();
  input_router_ = std::make_unique<InputRouter>();
  input_router_->attach(input);
  auto host_timer = [loop = host_loop_.get()](unsigned ms, std::function<void()> cb) {
    loop->call_after(ms, std::move(cb));
  };
  input_commands_ = std::make_unique<InputCommands>(*input_router_, host_timer);

  // A replay on another machine is refused before any image is opened.
  if (replay_ && replay_->replaying()) check_machine(without_drives(replay_->recorded_config()), machine_fingerprint(opts));
  // Drives, before a recording's header: it carries what each image held.
  DriveSet::Mode drive_mode = !replay_ ? DriveSet::Mode::kPlain
                              : replay_->replaying() ? DriveSet::Mode::kReplay : DriveSet::Mode::kRecord;
  try {
    drives_ = std::make_unique<DriveSet>(opts, drive_mode, *host_loop_, replay_ ? replay_->recorded_config() : "");
  } catch (const BlockError& e) {
    throw BootError(e.what());
  }
  if (replay_) replay_->start(fingerprint());

  // The network options are checked before any chardev opens (a server
  // socket may wait for its client).
  NetConfig net;
  std::string net_err;
  if (!parse_net_config(opts.netdevs, opts.nics, opts.nets, opts.objects, net, net_err)) throw BootError(net_err);

  // Character devices (-chardev, -serial, -monitor, -mon, -nographic) and
  // the host loop that drives them; each serial port's input goes through a
  // replay tap.
  chardevs_ = std::make_unique<CharRegistry>(*host_loop_);
  chardevs_->on_quit = [this] { request_quit(); };
  // The network's chardevs: a replay opens nothing of the network.
  if (replay_ && replay_->replaying()) chardevs_->set_unopened(guestfwd_chardev_ids(net.netdevs));
  CharBackend* serial = chardevs_->null_backend();
  std::vector<std::string> monitor_ids;
  std::vector<ConsoleSetup::Qmp> qmp_consoles;
  try {
    ConsoleSetup consoles = chardevs_->setup(
        {opts.chardevs, opts.serial, opts.monitors, opts.mons, opts.nographic, opts.qmps, opts.qmps_pretty});
    qmp_consoles = consoles.qmps;
    if (!consoles.serial_ids.empty() && !consoles.serial_ids[0].empty())
      serial = chardevs_->attach(consoles.serial_ids[0]);
    monitor_ids = consoles.monitor_ids;
  } catch (const ChardevError& e) {
    throw BootError(e.what());
  }
  taps_.push_back(std::make_unique<CharReplayTap>(input, 0));
  serial->add_filter(taps_.back().get());

  // Netdevs, after the chardevs (guestfwd= forwards to one): a replay
  // connects none (frames come from the recording).
  NetSet::Mode net_mode = !replay_ ? NetSet::Mode::kPlain
                          : replay_->replaying() ? NetSet::Mode::kReplay : NetSet::Mode::kRecord;
  // filter-dump's clock: the host's in a live run; a replay reads no host time.
  auto dump_clock = [this, replaying = net_mode == NetSet::Mode::kReplay]() -> uint64_t {
    if (replaying) return machine_ ? machine_->clock().now_ns() : 0;
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch()).count());
  };
  try {
    nets_ = std::make_unique<NetSet>(net, net_mode, *host_loop_, input, dump_clock, chardevs_.get());
  } catch (const std::runtime_error& e) {
    throw BootError(e.what());
  }

  BoardHost board;
  board.serial = serial;
  board.clock = host_clock_.get();
  board.virtio_drives = drives_->virtio_drives();
  board.pflash_drives = drives_->pflash_drives();
  board.devices.entropy = host_entropy_.get();
  board.devices.input = &input;
  board.devices.input_router = input_router_.get();
  board.devices.drive = [this](const std::string& id) { return drives_->find(id); };
  board.devices.embed = drives_->embedder();
  board.devices.netdev = [this](const std::string& id) { return nets_->find(id); };
  board.nics = nets_->nics();
  displays_ = std::make_unique<DisplaySet>();
  board.devices.displays = displays_.get();
  machine_ = std::make_unique<VirtMachine>(opts, board);
  if (dump_only()) return;

  engine_ = std::make_unique<Engine>(machine_->cpu(), machine_->address_space(), machine_->clock());
  engine_->set_singlestep(opts.singlestep);
  if (opts.tb_size_mib) engine_->set_code_buffer_size(size_t{opts.tb_size_mib} << 20);
  engine_->set_jit(opts.jit);
  if (opts.perfmap) engine_->enable_perf_map();
  if (opts.debug_miscompile == "mul") engine_->plant_mul_bug();

  RunOptions run;
  run.max_insns = opts.max_insns;
  run.no_reboot = opts.no_reboot;
  run.no_shutdown = opts.no_shutdown;
  run.align = opts.icount.align;
  loop_ = std::make_unique<RunLoop>(*machine_, *engine_, *host_loop_, *chardevs_, replay_.get(), run);
  for (const std::string& id : monitor_ids) monitors_.push_back(std::make_unique<Hmp>(*chardevs_->attach(id), *this));
  loop_->on_event = [this](const MachineEvent& e) { emit_event(e); };
  try {
    for (const ConsoleSetup::Qmp& q : qmp_consoles)
      qmps_.push_back(std::make_unique<Qmp>(*chardevs_->attach(q.id), *this, q.pretty));
  } catch (const ChardevError& e) {
    throw BootError(e.what());
  }

  if (!opts.incoming.empty()) {
    if (replay_) throw BootError("-incoming cannot be combined with -icount rr=" + opts.icount.rr + " yet");
    load_state(opts.incoming);
  }
  start_from_snapshots();  // -loadvm, rrsnapshot=
  if (replay_) replay_->attach(*machine_);
  if (replay_ && replay_->replaying()) {
    // The disks' in-memory overlays are saved and restored with each snapshot.
    NavigatorDisks disks;
    disks.busy = [d = drives_.get()] { return d->busy(); };
    disks.save = [d = drives_.get()] { return d->save_overlays(); };
    disks.restore = [d = drives_.get()](const std::shared_ptr<const void>& s) { d->restore_overlays(s); };
    disks.bytes = [d = drives_.get()] { return d->overlay_bytes(); };
    NavigatorOptions nav{opts.rr_snapshot_interval, opts.rr_snapshot_budget, disks, {}};
    nav.debugger_present = [this] { return gdb_ != nullptr; };  // -s/-gdb, or the gdbserver command
    navigator_ = std::make_unique<Navigator>(*machine_, *engine_, *replay_, *loop_, nav, "");
    loop_->set_navigator(navigator_.get());
    serial_ = serial;
    serial_->output_replayed = [nav = navigator_.get()] { return nav->output_replayed(); };
  }
  if (!opts.gdb.empty()) {
    std::string err = gdbserver(opts.gdb);
    if (!err.empty() && err.rfind("Waiting", 0) != 0) throw BootError(err.substr(0, err.size() - 1));
  }
  if (!opts.vnc.empty()) {
    VncOptions vnc;
    std::string err;
    if (!parse_vnc_options(opts.vnc, vnc, err)) throw BootError(err);
    try {
      if (vnc.kind != VncOptions::Kind::kNone)
        vnc_ = std::make_unique<VncServer>(vnc, *host_loop_, displays_->console(0), *input_router_);
    } catch (const VncError& e) {
      throw BootError("-vnc " + opts.vnc + ": " + e.what());
    }
  }
  if (opts.start_paused) loop_->pause("prelaunch");
}

Vm::~Vm() {
  if (chardevs_) chardevs_->flush_all();
  if (serial_) serial_->output_replayed = nullptr;
  if (loop_) loop_->set_debugger(nullptr);
}

ReplayNavigation* Vm::navigation() { return navigator_.get(); }

int Vm::run() { return opts_.rr_probe.empty() ? loop_->run() : run_probe(); }

std::string Vm::fingerprint() const { return machine_fingerprint(opts_) + drives_->fingerprint(); }

void Vm::save_state(const std::string& path) {
  drives_->drain();  // as QEMU drains I/O before migrating: no request is left half-done
  write_snapshot_file(path, save_machine(*machine_, fingerprint()));
}

void Vm::load_state(const std::string& path) {
  std::vector<uint8_t> bytes = read_snapshot_file(path);
  try {
    load_machine(*machine_, bytes, fingerprint());
  } catch (const DecodeError& e) {
    throw DecodeError("snapshot '" + path + "': " + e.what());
  }
  engine_->flush_translations();
}

}  // namespace rwd
