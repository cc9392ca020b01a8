// rewind: a RISC-V rv64 full-system emulator built for deterministic
// record and replay. The command line is qemu-system-riscv64's.
#include <cstdio>
#include <exception>

#include "chardev/char_backend.h"
#include "hw/riscv/boot.h"
#include "replay/replay.h"
#include "system/host_process.h"
#include "system/options.h"
#include "system/vm.h"
#include "util/log.h"

using namespace rwd;

int main(int argc, char** argv) {
  Options opts;
  std::string err;
  if (!parse_options(argc, argv, opts, err)) {
    // Help-like answers (-d help, -M help) are not errors.
    bool is_help = err.find('\n') != std::string::npos;
    std::fprintf(is_help ? stdout : stderr, is_help ? "%s\n" : "rewind: %s\n", err.c_str());
    return is_help ? 0 : 1;
  }
  for (const std::string& w : opts.warnings) std::fprintf(stderr, "rewind: warning: %s\n", w.c_str());
  if (opts.show_version) {
    std::fputs(version_text().c_str(), stdout);
    return 0;
  }
  if (opts.show_help) {
    std::fputs(usage_text().c_str(), stdout);
    return 0;
  }
  Logger& log = logger();
  std::string bad;
  if (!opts.log_items.empty()) log.parse_items(opts.log_items, bad);
  log.set_window(opts.log_start, opts.log_end);
  if (!opts.log_file.empty() && !log.open(opts.log_file, err)) {
    std::fprintf(stderr, "rewind: -D %s: %s\n", opts.log_file.c_str(), err.c_str());
    return 1;
  }
  try {
    if (!opts.process_name.empty()) set_process_name(opts.process_name);
    std::unique_ptr<Daemon> daemon;
    if (opts.daemonize) daemon = std::make_unique<Daemon>();
    std::unique_ptr<PidFile> pidfile;
    if (!opts.pidfile.empty()) pidfile = std::make_unique<PidFile>(opts.pidfile);
    Vm vm(opts, argc, argv);
    if (vm.dump_only()) return 0;  // the tree is written: done, as QEMU
    if (daemon) daemon->started();
    return vm.run();
  } catch (const DecodeError& e) {
    std::fprintf(stderr, "rewind: %s\n", e.what());
    return 1;
  } catch (const ReplayDivergence& e) {
    std::fprintf(stderr, "rewind: %s", e.what());
    return kExitDiverged;
  } catch (const BootError& e) {
    std::fprintf(stderr, "rewind: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "rewind: out of host memory (try a smaller -m)\n");
    return 1;
  } catch (const std::runtime_error& e) {
    // Refusals with a one-line message (e.g. a replay whose machine differs).
    std::fprintf(stderr, "rewind: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rewind: internal error: %s\n", e.what());
    return 70;
  }
}
