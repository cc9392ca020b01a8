// The command line, in QEMU's syntax and meaning, parsed into plain values.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hw/core/device_factory.h"
#include "target/riscv/cpu_config.h"

namespace rwd {

// QEMU's default firmware for -bios default (Debian's opensbi package).
inline constexpr const char* kDefaultFirmwarePath = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

struct IcountOptions {
  bool enabled = false;
  int shift = 0;
  bool shift_auto = false;
  bool sleep = true;
  bool align = false;  // virtual time never runs ahead of host time
  std::string rr;       // "", "record", "replay"
  std::string rrfile;
  std::string rrsnapshot;
  std::string rrdisk;   // "embed": disk reads are recorded (a replay needs no image)
};

// -rtc base=utc|localtime|DATE,clock=host|rt|vm[,driftfix=none|slew]
struct RtcOptions {
  enum class Base { kUtc, kLocaltime, kDate };
  enum class Clock { kHost, kRt, kVm };
  Base base = Base::kUtc;
  int64_t date_s = 0;  // base=DATE: seconds since the epoch (the date is UTC)
  Clock clock = Clock::kHost;
};

struct Options {
  std::string machine = "virt";
  riscv::CpuConfig cpu;              // -cpu rv64[,PROP=VALUE...]
  std::string dumpdtb;
  uint64_t ram_size = 128ull << 20;  // QEMU's default for virt
  std::string bios = "default";      // "default", "none" or a file
  std::string kernel, initrd, append, dtb;
  bool nographic = false;
  std::vector<std::string> serial;   // -serial values in order
  std::vector<std::string> devices;  // -device values in order (checked by parse_device_spec)
  std::vector<std::string> monitors; // -monitor values in order
  std::vector<std::string> chardevs; // -chardev values in order
  std::vector<std::string> drives;   // -drive values in order (checked by parse_drive_specs)
  std::vector<std::string> fw_cfg;   // -fw_cfg values in order (checked by parse_fw_cfg_item)
  bool snapshot = false;             // -snapshot: every drive snapshot=on
  std::vector<std::string> mons;     // -mon values in order
  std::vector<std::string> qmps, qmps_pretty;  // -qmp, -qmp-pretty values in order
  std::vector<std::string> netdevs, nics, nets, objects;  // -netdev, -nic, -net, -object (net/net_options.h)
  std::string log_items;             // -d
  std::string log_file;              // -D
  uint64_t log_start = 0, log_end = ~0ull;
  IcountOptions icount;
  RtcOptions rtc;
  bool singlestep = false;
  bool jit = true;  // -accel tcg,jit=off: interpret only
  unsigned tb_size_mib = 0;  // -accel tcg,tb-size=N: code buffer size (0: default)
  bool perfmap = false;  // -perfmap: /tmp/perf-<pid>.map for compiled blocks
  bool no_reboot = false;
  bool no_shutdown = false;  // a guest power-off stops emulation; the monitor stays
  std::string incoming;      // -incoming file:PATH: the state to start from
  std::string loadvm;        // -loadvm NAME: the named snapshot to start from
  std::string gdb;           // -gdb DEV / -s (tcp::1234): the gdb stub's device
  bool start_paused = false; // -S
  // The host process: -name NAME[,process=P], -pidfile, -daemonize.
  std::string name, process_name, pidfile;
  bool daemonize = false;
  std::string vnc;                   // -vnc / -display vnc=: the checked value (ui/vnc_options.h)
  std::string keyboard_layout;  // -k: for a display's keyboard (none yet, as QEMU without one)
  std::vector<GlobalProperty> globals;
  std::optional<uint64_t> seed;
  uint64_t max_insns = 0;            // rewind extension: stop after N instructions (0: no limit)
  // rewind extensions for record/replay: instructions between full state
  // checkpoints (0: only at events), and a deliberate replay perturbation.
  uint64_t rr_check_interval = 10'000'000;
  std::string rr_perturb;
  // The divergence trail (docs/divergence.md): a state check every N
  // instructions of a recording (0: none); the hidden divergence probe
  // ("IN,OUT" command/reply fds, tools/rewind_diverge.cc drives it).
  uint64_t rr_trail_interval = 1ull << 21;
  // Instructions between fresh RAM hashes in the per-event checks
  // (StateHasher::quick_check; 0: every event).
  uint64_t rr_ram_check_interval = 1ull << 20;
  // Record a net-sent event (length, CRC-32) for every frame the guest
  // sends, which a replay then checks (the network's debug mode).
  bool rr_net_check = false;
  std::string rr_probe;
  // Debug: a planted engine bug, to prove that rewind-diverge finds one
  // ("mul": compiled mul results off by one; interpreted ones right).
  std::string debug_miscompile;
  // Replay navigation (docs/replay-navigation.md): automatic in-memory
  // snapshots during a replay, every N instructions, within a memory budget.
  uint64_t rr_snapshot_interval = 50'000'000;
  uint64_t rr_snapshot_budget = 1ull << 30;
  std::vector<std::string> warnings;  // for stderr, as QEMU prints them (e.g. from -cpu)
  bool show_version = false;
  bool show_help = false;
};

// Parses argv. On error, returns false with a one-line message in `err`.
bool parse_options(int argc, char** argv, Options& opts, std::string& err);
std::string usage_text();
std::string version_text();

// "128M", "1G", "512" (MiB when no suffix, as QEMU), "1073741824B".
bool parse_size(const std::string& s, uint64_t& out);

// "2006-06-17T16:01:21" or "2006-06-17" (UTC) -> seconds since the epoch.
bool parse_rtc_date(const std::string& s, int64_t& out);

}  // namespace rwd
