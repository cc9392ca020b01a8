// Character-device specifications in QEMU's two syntaxes, parsed and checked
// without opening anything: `-chardev BACKEND,id=ID,...` and the legacy
// values of -serial/-monitor (stdio, mon:stdio, file:PATH, tcp:HOST:PORT,...).
#pragma once
#include <map>
#include <string>

namespace rwd {

struct ChardevSpec {
  std::string backend;  // null, stdio, file, pipe, socket, pty; "none" (legacy: no device)
  std::string id;
  bool mux = false;
  std::map<std::string, std::string> props;  // checked against the backend's properties
  std::string origin;  // "-chardev null,id=x": prefix of error messages
  std::string ref;     // legacy "chardev:ID": use that chardev, create nothing
  bool with_monitor = false;  // legacy "mon:...": a monitor shares it (mux)
};

// Both throw ChardevError with a one-line message that starts with `origin`.
ChardevSpec parse_chardev_option(const std::string& arg);
// `option` is "-serial" or "-monitor"; `id` names the chardev (serial0, compat_monitor0).
ChardevSpec parse_legacy_chardev(const std::string& option, const std::string& value, const std::string& id);
// -mon chardev=ID[,mode=readline|control][,pretty=on|off]: returns ID;
// `control` says mode=control (QMP), `pretty` pretty=on.
std::string parse_mon_option(const std::string& arg, bool* control = nullptr, bool* pretty = nullptr);

// "on"/"off"/"yes"/"no"/"true"/"false" of a property, `dflt` when absent.
bool spec_bool(const ChardevSpec& spec, const std::string& key, bool dflt);
std::string spec_str(const ChardevSpec& spec, const std::string& key);

}  // namespace rwd
