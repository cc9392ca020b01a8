// Every character device of the machine by id: created from -chardev and
// from the legacy -serial/-monitor/-mon/-nographic options with QEMU's
// defaults, and handed to frontends (a mux hands each one a port of its own).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chardev/char_backend.h"
#include "chardev/char_spec.h"

namespace rwd {

class HostLoop;
class MuxChardev;

// The console options of the command line.
struct ConsoleOptions {
  std::vector<std::string> chardevs;  // -chardev values
  std::vector<std::string> serials;   // -serial values
  std::vector<std::string> monitors;  // -monitor values
  std::vector<std::string> mons;      // -mon values
  bool nographic = false;
  std::vector<std::string> qmps;         // -qmp values
  std::vector<std::string> qmps_pretty;  // -qmp-pretty values
};

// What the frontends connect to: chardev ids ("" = no device).
struct ConsoleSetup {
  std::vector<std::string> serial_ids;  // serial0, serial1...
  std::vector<std::string> monitor_ids;
  struct Qmp {
    std::string id;
    bool pretty = false;
  };
  std::vector<Qmp> qmps;  // QMP monitors (-qmp, -qmp-pretty, -mon mode=control)
};

class CharRegistry {
 public:
  explicit CharRegistry(HostLoop& loop);
  ~CharRegistry();

  // Creates one chardev; throws ChardevError (bad spec, duplicate id, open failure).
  void add(const ChardevSpec& spec);
  // Chardevs that are part of a netdev's host side (guestfwd=): a replay
  // connects nothing on the host, so they are checked but not opened (their
  // output vanishes, no input comes). Set before setup().
  void set_unopened(std::vector<std::string> ids) { unopened_ = std::move(ids); }
  bool has(const std::string& id) const;
  // Creates every chardev the options ask for and works out which ones the
  // serial ports and monitors use, as QEMU does. Throws ChardevError.
  ConsoleSetup setup(const ConsoleOptions& opts);
  // Connects a frontend to chardev `id`: a new port of a mux, or the backend
  // itself (only once). Throws ChardevError.
  CharBackend* attach(const std::string& id);
  // A backend for frontends without a device (-serial none).
  CharBackend* null_backend() { return &null_; }

  // Between CPU slices: hand held-back input to frontends (true when some
  // moved), push output out.
  bool pump_all();
  void flush_all();
  // C-a x on any mux.
  std::function<void()> on_quit;

 private:
  struct Entry;
  std::unique_ptr<CharBackend> open(const ChardevSpec& spec);
  Entry* find(const std::string& id);

  HostLoop& loop_;
  std::vector<std::unique_ptr<Entry>> entries_;
  NullChardev null_;
  bool stdio_used_ = false;
  std::vector<std::string> unopened_;
};

}  // namespace rwd
