#include "replay/replay_config.h"

#include <sys/stat.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "hw/nvram/fw_cfg_options.h"
#include "net/net_options.h"
#include "replay/event_codec.h"
#include "util/file_io.h"
#include "util/hash64.h"
#include "util/hex.h"

namespace rwd {

namespace {

// "N bytes, hash 0x..." of a file, "-" for none. Files that cannot be read are
// reported by the machine when it loads them; here they just do not match.
std::string file_digest(const std::string& path) {
  if (path.empty() || path == "none") return path.empty() ? "-" : "none";
  std::vector<uint8_t> data;
  std::string err;
  if (!read_whole_file(path, data, err)) return "unreadable";
  return std::to_string(data.size()) + " bytes, hash " + hex(hash_bytes(data.data(), data.size()));
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_of(" \t\n'\"\\$`*?;&|<>()[]{}") == std::string::npos) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// User-facing names of the fingerprint keys.
std::string option_of(const std::string& key) {
  if (key == "ram") return "-m";
  if (key == "bios") return "-bios";
  if (key == "kernel") return "-kernel";
  if (key == "initrd") return "-initrd";
  if (key == "dtb") return "-dtb";
  if (key == "append") return "-append";
  if (key == "fw_cfg") return "-fw_cfg";
  if (key == "icount-shift") return "-icount shift";
  if (key == "devices") return "-device";
  if (key == "rtc") return "-rtc";
  if (key == "machine") return "-M";
  if (key == "cpu") return "-cpu";
  if (key == "cpu-isa") return "the hart's ISA (-cpu)";
  if (key == "no-reboot") return "-no-reboot";
  if (key == "no-shutdown") return "-no-shutdown";
  if (key == "global") return "-global";
  if (key == "rrdisk") return "-icount rrdisk";
  if (key.rfind("drive.", 0) == 0) return "the image of -drive id=" + key.substr(6);
  if (key == "icount-sleep") return "-icount sleep";
  return "machine setting";
}

std::map<std::string, std::string> parse_lines(const std::string& text) {
  std::map<std::string, std::string> m;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) m[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return m;
}

}  // namespace

bool parse_perturbation(const std::string& spec, Perturbation& p, std::string& err) {
  bool have_icount = false;
  std::istringstream in(spec);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto eq = item.find('=');
    std::string k = item.substr(0, eq), v = eq == std::string::npos ? "" : item.substr(eq + 1);
    char* end = nullptr;
    unsigned long long n = std::strtoull(v.c_str(), &end, 0);
    bool num_ok = !v.empty() && *end == 0;
    if (k == "icount" && num_ok) {
      p.icount = n;
      have_icount = true;
    } else if (k == "reg" && v.size() >= 2 && v[0] == 'x') {
      p.xreg = std::atoi(v.c_str() + 1);
      if (p.xreg < 1 || p.xreg > 31) return err = "-rr-perturb: reg must be x1..x31", false;
    } else if (k == "bit" && num_ok && n < 64) {
      p.bit = static_cast<unsigned>(n);
    } else if (k == "ram" && num_ok) {
      p.ram_addr = n;
    } else {
      return err = "-rr-perturb: bad parameter '" + item + "' (icount=N,reg=xN[,bit=B] or icount=N,ram=ADDR)", false;
    }
  }
  if (!have_icount || (p.xreg < 0 && !p.ram_addr)) return err = "-rr-perturb needs icount=N and reg=xN or ram=ADDR", false;
  return true;
}

std::string quoted_command_line(int argc, char** argv) {
  std::string cmd;
  for (int i = 0; i < argc; ++i) {
    if (i) cmd += ' ';
    cmd += shell_quote(argv[i]);
  }
  return cmd;
}

std::string machine_fingerprint(const Options& o) {
  // Everything that changes what the guest computes. Not: serial/monitor
  // backends, logging, -max-insns, -singlestep (execution strategy only).
  std::ostringstream s;
  s << "machine=" << o.machine << "\n";
  // The hart's extensions and features: the model and what differs from
  // its defaults, in -cpu syntax ("rv64", "rv64,c=off,pmp=off").
  s << "cpu=" << o.cpu.canonical() << "\n";
  // Also what the guest is told it has (riscv,isa): the line marks
  // recordings made since Sstc is on by default (see check_machine).
  s << "cpu-isa=" << o.cpu.isa_string() << "\n";
  s << "ram=" << o.ram_size << "\n";
  s << "bios=" << (o.bios == "default" ? "default (" + file_digest(kDefaultFirmwarePath) + ")"
                                        : file_digest(o.bios)) << "\n";
  s << "kernel=" << file_digest(o.kernel) << "\n";
  s << "initrd=" << file_digest(o.initrd) << "\n";
  s << "dtb=" << file_digest(o.dtb) << "\n";
  s << "append=" << o.append << "\n";
  // -fw_cfg items: each name with its string or its file's digest (the
  // line only exists when there are some, so older recordings still match).
  if (!o.fw_cfg.empty()) {
    std::string items;
    for (const std::string& a : o.fw_cfg) {
      FwCfgItemSpec spec;
      std::string err, warning;
      if (!parse_fw_cfg_item(a, spec, err, warning)) continue;
      items += (items.empty() ? "" : " ") + spec.name + "=" + (spec.from_file ? "(" + file_digest(spec.file) + ")" : spec.text);
    }
    s << "fw_cfg=" << items << "\n";
  }
  s << "icount-shift=" << (o.icount.shift_auto ? std::string("auto") : std::to_string(o.icount.shift)) << "\n";
  std::string devices;
  for (auto& d : o.devices) devices += (devices.empty() ? "" : " ") + d;
  s << "devices=" << devices << "\n";
  // The NICs -nic and -net nic add (their backends do not matter: a replay connects none).
  NetConfig net;
  std::string err, nics;
  if (parse_net_config(o.netdevs, o.nics, o.nets, o.objects, net, err))
    for (const DeviceSpec& d : net.nics) nics += (nics.empty() ? "" : " ") + d.driver + ",mac=" + (d.props.count("mac") ? d.props.at("mac") : "");
  if (!nics.empty()) s << "nics=" << nics << "\n";
  s << "rtc=" << static_cast<int>(o.rtc.base) << ":" << o.rtc.date_s << ":" << static_cast<int>(o.rtc.clock) << "\n";
  s << "no-reboot=" << o.no_reboot << "\n";
  s << "no-shutdown=" << o.no_shutdown << "\n";
  std::string globals;
  for (const GlobalProperty& g : o.globals) globals += (globals.empty() ? "" : " ") + g.driver + "." + g.property + "=" + g.value;
  s << "global=" << globals << "\n";
  s << "rrdisk=" << (o.icount.rrdisk.empty() ? "image" : o.icount.rrdisk) << "\n";
  // Idle time is recorded as warps with sleep=on; with sleep=off the engine
  // jumps to each deadline itself: the guest sees different times.
  s << "icount-sleep=" << (o.icount.sleep ? "on" : "off") << "\n";
  return s.str();
}

void check_not_an_input(const std::string& output, const Options& o, const std::string& what) {
  struct stat out{};
  if (stat(output.c_str(), &out) != 0) return;  // does not exist yet: nothing to clobber
  const std::pair<const char*, std::string> inputs[] = {
      {"-kernel", o.kernel}, {"-initrd", o.initrd}, {"-dtb", o.dtb},
      {"-bios", o.bios == "default" ? std::string(kDefaultFirmwarePath) : o.bios}, {"-incoming", o.incoming}};
  for (auto& [option, path] : inputs) {
    struct stat in{};
    if (!path.empty() && stat(path.c_str(), &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
      throw std::runtime_error(what + " '" + output + "' is the " + option + " file: refusing to overwrite an input");
  }
}

std::string without_drives(const std::string& config) {
  std::istringstream in(config);
  std::string out, line;
  while (std::getline(in, line))
    if (line.rfind("drive.", 0) != 0) out += line + "\n";
  return out;
}

void check_machine(const std::string& recorded, const std::string& mine, const std::string& source) {
  const std::string verb = source == "recording" ? "replay" : source;
  auto rec = parse_lines(recorded), cur = parse_lines(mine);
  // Made before -cpu took properties: the default hart was the only one.
  if (!rec.count("cpu")) rec["cpu"] = riscv::CpuConfig{}.canonical();
  // Made before Sstc was on by default (no cpu-isa line): that hart had
  // none, so its -cpu means today's with sstc=off, which is what a replay
  // must give (the refusal names it) to run the hart it recorded.
  if (!rec.count("cpu-isa")) {
    riscv::CpuConfig old;
    std::string err;
    std::vector<std::string> warnings;
    if (riscv::parse_cpu_option(rec["cpu"], old, err, warnings)) {
      old.sstc = false;
      rec["cpu"] = old.canonical();
      rec["cpu-isa"] = old.isa_string();
    }
  }
  for (auto& [k, v] : rec) {
    auto it = cur.find(k);
    std::string here = it == cur.end() ? "(absent)" : it->second;
    if (here != v) {
      // The recorded side comes from a file: escaped before it reaches a terminal.
      auto show = [](const std::string& x) { return x.empty() ? std::string("(none)") : escape_text(x); };
      throw std::runtime_error(verb + " refused: this machine differs from the " + source + "'s: " +
                               option_of(k) + " is " + show(here) + " here, " + show(v) + " in the " + source);
    }
  }
  for (auto& [k, v] : cur)
    if (!rec.count(k))
      throw std::runtime_error(verb + " refused: the " + source + " does not describe setting '" + k +
                               "' (made by an older rewind)");
}

}  // namespace rwd
