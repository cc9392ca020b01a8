#include "chardev/char_registry.h"

#include <algorithm>
#include <csignal>

#include "chardev/char_file.h"
#include "chardev/char_mux.h"
#include "chardev/char_pty.h"
#include "chardev/char_socket.h"
#include "chardev/char_stdio.h"

namespace rwd {

struct CharRegistry::Entry {
  std::string id;
  std::unique_ptr<CharBackend> backend;
  std::unique_ptr<MuxChardev> mux;
  std::vector<CharBackend*> frontends;
};

CharRegistry::CharRegistry(HostLoop& loop) : loop_(loop) {
  // A reader that goes away must not kill the emulator: writes fail with EPIPE instead.
  std::signal(SIGPIPE, SIG_IGN);
}

CharRegistry::~CharRegistry() {
  // Muxes first: they point at their backends.
  for (auto& e : entries_) e->mux.reset();
}

CharRegistry::Entry* CharRegistry::find(const std::string& id) {
  for (auto& e : entries_)
    if (e->id == id) return e.get();
  return nullptr;
}

bool CharRegistry::has(const std::string& id) const {
  for (auto& e : entries_)
    if (e->id == id) return true;
  return false;
}

std::unique_ptr<CharBackend> CharRegistry::open(const ChardevSpec& spec) {
  const std::string& b = spec.backend;
  if (b == "null") return std::make_unique<NullChardev>();
  if (b == "stdio") {
    if (stdio_used_) throw ChardevError("cannot use stdio by multiple character devices");
    stdio_used_ = true;
    return std::make_unique<StdioChardev>(loop_, spec_bool(spec, "signal", true));
  }
  if (b == "file") return open_file_chardev(loop_, spec_str(spec, "path"), spec_str(spec, "input-path"), spec_bool(spec, "append", false));
  if (b == "pipe") return open_pipe_chardev(loop_, spec_str(spec, "path"));
  if (b == "pty") return std::make_unique<PtyChardev>(loop_, spec.id);
  if (b == "socket") {
    SocketConfig c;
    c.is_unix = spec.props.count("path") > 0;
    c.path = spec_str(spec, "path");
    c.host = spec_str(spec, "host");
    c.port = spec_str(spec, "port");
    c.server = spec_bool(spec, "server", false);
    c.wait = spec_bool(spec, "wait", true);
    c.nodelay = spec_bool(spec, "nodelay", false);
    return std::make_unique<SocketChardev>(loop_, c);
  }
  throw ChardevError("'" + b + "' is not a valid char driver name");
}

void CharRegistry::add(const ChardevSpec& spec) {
  if (has(spec.id)) throw ChardevError(spec.origin + ": duplicate chardev id '" + spec.id + "'");
  auto e = std::make_unique<Entry>();
  e->id = spec.id;
  bool unopened = std::find(unopened_.begin(), unopened_.end(), spec.id) != unopened_.end();
  try {
    e->backend = unopened ? std::make_unique<NullChardev>() : open(spec);
  } catch (const ChardevError& err) {
    throw ChardevError(spec.origin + ": " + err.what());
  }
  // A frontend that makes room for held-back input gets it at the next
  // service step (CharBackend::frontend_ready).
  e->backend->on_service_request = [this] { loop_.request_service(); };
  if (spec.mux) {
    e->mux = std::make_unique<MuxChardev>(*e->backend);
    e->mux->on_quit = [this] {
      if (on_quit) on_quit();
    };
  }
  entries_.push_back(std::move(e));
}

CharBackend* CharRegistry::attach(const std::string& id) {
  Entry* e = find(id);
  if (!e) throw ChardevError("chardev '" + id + "' not found");
  CharBackend* fe;
  if (e->mux) {
    fe = e->mux->add_frontend();
  } else {
    if (!e->frontends.empty()) throw ChardevError("chardev '" + id + "' is already in use (add mux=on to share it)");
    fe = e->backend.get();
  }
  e->frontends.push_back(fe);
  return fe;
}

ConsoleSetup CharRegistry::setup(const ConsoleOptions& opts) {
  for (const std::string& arg : opts.chardevs) add(parse_chardev_option(arg));

  std::vector<std::string> serials = opts.serials, monitors = opts.monitors;
  bool default_serial = serials.empty();
  bool default_monitor = monitors.empty() && opts.mons.empty() && opts.qmps.empty() && opts.qmps_pretty.empty();
  for (const std::string& s : serials)
    if (s.rfind("mon:", 0) == 0) default_monitor = false;
  // QEMU's defaults: -nographic puts the serial port and the monitor on stdio
  // (sharing it through a mux when both are defaults); otherwise there is no
  // display to show them on, so the serial port goes nowhere.
  if (opts.nographic) {
    if (default_serial && default_monitor) {
      serials.push_back("mon:stdio");
    } else {
      if (default_serial) serials.push_back("stdio");
      if (default_monitor) monitors.push_back("stdio");
    }
  }

  ConsoleSetup out;
  // Legacy values become chardevs named as in QEMU (serial0, compat_monitor0).
  auto legacy = [&](const std::string& option, const std::string& value, const std::string& id) -> std::string {
    ChardevSpec spec = parse_legacy_chardev(option, value, id);
    if (spec.backend == "none") return "";
    if (!spec.ref.empty()) {
      if (!has(spec.ref)) throw ChardevError(spec.origin + ": chardev '" + spec.ref + "' not found");
      return spec.ref;
    }
    add(spec);
    if (spec.with_monitor) out.monitor_ids.push_back(id);
    return id;
  };
  for (size_t i = 0; i < serials.size(); ++i)
    out.serial_ids.push_back(legacy("-serial", serials[i], "serial" + std::to_string(i)));
  for (size_t i = 0; i < monitors.size(); ++i) {
    std::string id = legacy("-monitor", monitors[i], "compat_monitor" + std::to_string(i));
    if (!id.empty() && (monitors[i].rfind("mon:", 0) != 0)) out.monitor_ids.push_back(id);
  }
  // -qmp DEV is -monitor DEV in control mode; the legacy ids count on.
  size_t compat = monitors.size();
  for (bool pretty : {false, true})
    for (const std::string& value : pretty ? opts.qmps_pretty : opts.qmps) {
      std::string id = legacy(pretty ? "-qmp-pretty" : "-qmp", value, "compat_monitor" + std::to_string(compat++));
      if (!id.empty()) out.qmps.push_back({id, pretty});
    }
  for (const std::string& arg : opts.mons) {
    bool control, pretty;
    std::string id = parse_mon_option(arg, &control, &pretty);
    if (!has(id)) throw ChardevError("-mon " + arg + ": chardev '" + id + "' not found");
    if (control) out.qmps.push_back({id, pretty});
    else out.monitor_ids.push_back(id);
  }
  return out;
}

bool CharRegistry::pump_all() {
  bool moved = false;
  for (auto& e : entries_)
    for (CharBackend* fe : e->frontends) moved |= fe->pump();
  return moved;
}

void CharRegistry::flush_all() {
  for (auto& e : entries_) e->backend->flush();
}

}  // namespace rwd
