#include "system/options.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "hw/core/device_factory.h"
#include "hw/nvram/fw_cfg_options.h"
#include "net/net_options.h"
#include "system/drive_options.h"
#include "ui/vnc_options.h"
#include "util/version.h"
#include "util/log.h"

namespace rwd {

namespace {

// "a=1,b=2,c" -> {{"a","1"},{"b","2"},{"c",""}}, in order.
std::vector<std::pair<std::string, std::string>> split_props(const std::string& s) {
  std::vector<std::pair<std::string, std::string>> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto eq = item.find('=');
    if (eq == std::string::npos)
      out.emplace_back(item, "");
    else
      out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return out;
}

bool parse_u64(const std::string& s, uint64_t& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno || *end || s[0] == '-') return false;
  out = v;
  return true;
}

// -vnc ARG: checked now (ui/vnc_options.h), used by the Vm.
bool parse_vnc_arg(Options& o, const std::string& a, std::string& err) {
  if (a == "help") return err = vnc_options_help(), false;
  VncOptions v;
  if (!parse_vnc_options(a, v, err)) return false;
  o.vnc = a;
  return true;
}

bool parse_bool(const std::string& s, bool& out) {
  if (s == "on" || s == "yes" || s == "true") return out = true, true;
  if (s == "off" || s == "no" || s == "false") return out = false, true;
  return false;
}

using Handler = std::function<bool(Options&, const std::string& arg, std::string& err)>;
struct OptionDef {
  bool has_arg;
  Handler handle;
};

// -log-bound start=N,end=M (and its alias): -d logs only instructions N..M-1.
Handler log_bound_parser(const std::string& option) {
  return [option](Options& o, const std::string& a, std::string& err) {
    for (auto& [k, v] : split_props(a)) {
      uint64_t n;
      if (!parse_u64(v, n)) return err = option + ": " + k + " needs a number", false;
      if (k == "start") o.log_start = n;
      else if (k == "end") o.log_end = n;
      else return err = option + ": invalid parameter '" + k + "' (start=N,end=M)", false;
    }
    if (o.log_start > o.log_end) return err = option + ": start is after end", false;
    return true;
  };
}

bool parse_icount(Options& o, const std::string& arg, std::string& err) {
  IcountOptions& ic = o.icount;
  ic.enabled = true;
  for (auto& [k, v] : split_props(arg)) {
    if ((k == "shift" && v == "auto") || (v.empty() && k == "auto")) {
      ic.shift_auto = true;
    } else if (k == "shift" || (v.empty() && !k.empty() && isdigit(static_cast<unsigned char>(k[0])))) {
      uint64_t n;
      if (!parse_u64(k == "shift" ? v : k, n) || n > 10) {
        err = "-icount: shift must be 'auto' or a number from 0 to 10";
        return false;
      }
      ic.shift = static_cast<int>(n);
    } else if (k == "sleep") {
      if (!parse_bool(v, ic.sleep)) return err = "-icount: sleep must be on or off", false;
    } else if (k == "align") {
      if (!parse_bool(v, ic.align)) return err = "-icount: align must be on or off", false;
    } else if (k == "rr") {
      if (v != "record" && v != "replay") return err = "-icount: rr must be 'record' or 'replay'", false;
      ic.rr = v;
    } else if (k == "rrfile") {
      ic.rrfile = v;
    } else if (k == "rrsnapshot") {
      ic.rrsnapshot = v;
    } else if (k == "rrdisk") {
      if (v != "embed" && v != "image") return err = "-icount: rrdisk must be 'embed' or 'image'", false;
      ic.rrdisk = v;
    } else {
      err = "-icount: invalid parameter '" + k + "'";
      return false;
    }
  }
  return true;
}

bool parse_rtc(Options& o, const std::string& arg, std::string& err) {
  RtcOptions& rtc = o.rtc;
  for (auto& [k, v] : split_props(arg)) {
    if (k == "base") {
      if (v == "utc") {
        rtc.base = RtcOptions::Base::kUtc;
      } else if (v == "localtime") {
        rtc.base = RtcOptions::Base::kLocaltime;
      } else if (parse_rtc_date(v, rtc.date_s)) {
        rtc.base = RtcOptions::Base::kDate;
      } else {
        return err = "-rtc base=" + v + ": invalid date format (utc, localtime, 2006-06-17T16:01:21 or 2006-06-17)", false;
      }
    } else if (k == "clock") {
      if (v == "host") rtc.clock = RtcOptions::Clock::kHost;
      else if (v == "rt") rtc.clock = RtcOptions::Clock::kRt;
      else if (v == "vm") rtc.clock = RtcOptions::Clock::kVm;
      else return err = "-rtc clock=" + v + ": invalid clock (host, rt or vm)", false;
    } else if (k == "driftfix") {
      // Only QEMU's x86 RTC acts on it; accepted for command-line compatibility.
      if (v != "none" && v != "slew") return err = "-rtc driftfix=" + v + ": must be none or slew", false;
    } else {
      return err = "-rtc: invalid parameter '" + k + "'", false;
    }
  }
  return true;
}

const std::map<std::string, OptionDef>& option_table() {
  static const std::map<std::string, OptionDef> table = {
      {"M", {true, [](Options& o, const std::string& a, std::string& err) {
         auto props = split_props(a);
         for (size_t i = 0; i < props.size(); ++i) {
           auto& [k, v] = props[i];
           if (i == 0 && v.empty()) {
             if (k == "help" || k == "?") return err = "Supported machines are:\nvirt                 RISC-V VirtIO board", false;
             if (k != "virt") return err = "-M " + k + ": unsupported machine type (rewind has 'virt')", false;
             o.machine = k;
           } else if (k == "type") {
             if (v != "virt") return err = "-M type=" + v + ": unsupported machine type (rewind has 'virt')", false;
           } else if (k == "dumpdtb") {
             o.dumpdtb = v;
           } else {
             return err = "-M: property '" + k + "' is not supported", false;
           }
         }
         return true;
       }}},
      {"m", {true, [](Options& o, const std::string& a, std::string& err) {
         std::string v = a;
         for (auto& [k, val] : split_props(a)) {
           if (k == "size") v = val;
           else if (!val.empty()) return err = "-m: property '" + k + "' is not supported", false;
         }
         uint64_t size;
         if (!parse_size(v, size)) return err = "-m " + a + ": invalid RAM size", false;
         if (size < (16ull << 20)) return err = "-m " + a + ": RAM size too small (minimum 16M)", false;
         if (size > (64ull << 30)) return err = "-m " + a + ": RAM size too large (maximum 64G)", false;
         o.ram_size = size;
         return true;
       }}},
      {"bios", {true, [](Options& o, const std::string& a, std::string&) { o.bios = a; return true; }}},
      {"kernel", {true, [](Options& o, const std::string& a, std::string&) { o.kernel = a; return true; }}},
      {"initrd", {true, [](Options& o, const std::string& a, std::string&) { o.initrd = a; return true; }}},
      {"append", {true, [](Options& o, const std::string& a, std::string&) { o.append = a; return true; }}},
      {"dtb", {true, [](Options& o, const std::string& a, std::string&) { o.dtb = a; return true; }}},
      {"nographic", {false, [](Options& o, const std::string&, std::string&) { o.nographic = true; return true; }}},
      {"serial", {true, [](Options& o, const std::string& a, std::string&) { o.serial.push_back(a); return true; }}},
      {"monitor", {true, [](Options& o, const std::string& a, std::string&) { o.monitors.push_back(a); return true; }}},
      {"chardev", {true, [](Options& o, const std::string& a, std::string&) { o.chardevs.push_back(a); return true; }}},
      {"mon", {true, [](Options& o, const std::string& a, std::string&) { o.mons.push_back(a); return true; }}},
      {"qmp", {true, [](Options& o, const std::string& a, std::string&) { o.qmps.push_back(a); return true; }}},
      {"qmp-pretty", {true, [](Options& o, const std::string& a, std::string&) { o.qmps_pretty.push_back(a); return true; }}},
      {"display", {true, [](Options& o, const std::string& a, std::string& err) {
         if (a.rfind("vnc=", 0) == 0) return parse_vnc_arg(o, a.substr(4), err);  // QEMU's -display vnc=:N
         if (a != "none") return err = "-display " + a + ": only 'none' and 'vnc=...' are supported", false;
         return true;
       }}},
      {"vnc", {true, [](Options& o, const std::string& a, std::string& err) { return parse_vnc_arg(o, a, err); }}},
      {"d", {true, [](Options& o, const std::string& a, std::string& err) {
         if (a == "help") return err = Logger::help(), false;
         std::string bad;
         Logger probe;
         if (!probe.parse_items(a, bad)) return err = "-d " + a + ": unknown log item '" + bad + "' (try -d help)", false;
         o.log_items += (o.log_items.empty() ? "" : ",") + a;
         return true;
       }}},
      {"D", {true, [](Options& o, const std::string& a, std::string&) { o.log_file = a; return true; }}},
      {"log-bound", {true, log_bound_parser("-log-bound")}},
      // KRR's spelling of the same window.
      {"replay-log-bound", {true, log_bound_parser("-replay-log-bound")}},
      {"icount", {true, parse_icount}},
      {"device", {true, [](Options& o, const std::string& a, std::string& err) {
         std::vector<std::string> all = o.devices;  // ids must be unique across all of them
         all.push_back(a);
         std::vector<DeviceSpec> specs;
         if (!parse_device_specs(all, specs, err)) return false;
         o.devices.push_back(a);
         return true;
       }}},
      {"rtc", {true, parse_rtc}},
      {"fw_cfg", {true, [](Options& o, const std::string& a, std::string& err) {
         FwCfgItemSpec spec;
         std::string warning;
         if (!parse_fw_cfg_item(a, spec, err, warning)) return false;
         if (!warning.empty()) std::fprintf(stderr, "rewind: warning: %s\n", warning.c_str());
         o.fw_cfg.push_back(a);
         return true;
       }}},
      {"singlestep", {false, [](Options& o, const std::string&, std::string&) { o.singlestep = true; return true; }}},
      {"perfmap", {false, [](Options& o, const std::string&, std::string&) { o.perfmap = true; return true; }}},
      {"accel", {true, [](Options& o, const std::string& a, std::string& err) {
         auto props = split_props(a);
         for (size_t i = 0; i < props.size(); ++i) {
           auto& [k, v] = props[i];
           if (i == 0 && v.empty()) {
             if (k != "tcg") return err = "-accel " + k + ": rewind has only 'tcg'", false;
           } else if (k == "one-insn-per-tb") {
             bool b;
             if (!parse_bool(v, b)) return err = "-accel: one-insn-per-tb must be on or off", false;
             o.singlestep = b;
           } else if (k == "jit") {  // rewind's own: compile blocks to host code (default on)
             bool b;
             if (!parse_bool(v, b)) return err = "-accel: jit must be on or off", false;
             o.jit = b;
           } else if (k == "tb-size") {  // QEMU's: the translation buffer, in MiB
             char* end = nullptr;
             unsigned long mib = std::strtoul(v.c_str(), &end, 10);
             if (v.empty() || *end || mib < 1 || mib > 4096)
               return err = "-accel: tb-size must be a number of MiB from 1 to 4096", false;
             o.tb_size_mib = static_cast<unsigned>(mib);
           } else if (k != "thread") {
             return err = "-accel: property '" + k + "' is not supported", false;
           }
         }
         return true;
       }}},
      {"cpu", {true, [](Options& o, const std::string& a, std::string& err) {
         std::vector<std::string> warnings;
         if (!riscv::parse_cpu_option(a, o.cpu, err, warnings)) return false;
         for (auto& w : warnings) o.warnings.push_back("-cpu " + a + ": " + w);
         return true;
       }}},
      {"smp", {true, [](Options&, const std::string& a, std::string& err) {
         std::string n = split_props(a).empty() ? "" : split_props(a)[0].first;
         if (n == "cpus") n = split_props(a)[0].second;
         if (n != "1") return err = "-smp " + a + ": rewind emulates one hart", false;
         return true;
       }}},
      {"seed", {true, [](Options& o, const std::string& a, std::string& err) {
         uint64_t n;
         if (!parse_u64(a, n)) return err = "-seed " + a + ": not a number", false;
         o.seed = n;
         return true;
       }}},
      {"no-reboot", {false, [](Options& o, const std::string&, std::string&) { o.no_reboot = true; return true; }}},
      {"no-shutdown", {false, [](Options& o, const std::string&, std::string&) { o.no_shutdown = true; return true; }}},
      {"name", {true, [](Options& o, const std::string& a, std::string& err) {
         auto props = split_props(a);
         for (size_t i = 0; i < props.size(); ++i) {
           auto& [k, v] = props[i];
           bool b;
           if (i == 0 && v.empty()) o.name = k;
           else if (k == "guest") o.name = v;
           else if (k == "process") o.process_name = v;
           else if (k == "debug-threads") {
             if (!parse_bool(v, b)) return err = "-name: debug-threads must be on or off", false;
           } else {
             return err = "-name: invalid parameter '" + k + "'", false;
           }
         }
         return true;
       }}},
      {"netdev", {true, [](Options& o, const std::string& a, std::string& err) {
         NetdevSpec s;
         if (!parse_netdev_spec(a, s, err)) return false;
         o.netdevs.push_back(a);
         return true;
       }}},
      {"nic", {true, [](Options& o, const std::string& a, std::string&) { o.nics.push_back(a); return true; }}},
      {"net", {true, [](Options& o, const std::string& a, std::string&) { o.nets.push_back(a); return true; }}},
      {"object", {true, [](Options& o, const std::string& a, std::string& err) {
         NetFilterSpec f;
         if (!parse_object_spec(a, f, err)) return false;
         o.objects.push_back(a);
         return true;
       }}},
      {"drive", {true, [](Options& o, const std::string& a, std::string& err) {
         DriveSpec d;
         if (!parse_drive_spec(a, d, err)) return false;
         o.drives.push_back(a);
         return true;
       }}},
      {"snapshot", {false, [](Options& o, const std::string&, std::string&) { o.snapshot = true; return true; }}},
      {"pidfile", {true, [](Options& o, const std::string& a, std::string&) { o.pidfile = a; return true; }}},
      {"daemonize", {false, [](Options& o, const std::string&, std::string&) { o.daemonize = true; return true; }}},
      {"k", {true, [](Options& o, const std::string& a, std::string&) { o.keyboard_layout = a; return true; }}},
      {"boot", {true, [](Options&, const std::string& a, std::string& err) {
         // Boot order and menus mean nothing on virt (firmware and -kernel
         // decide), as in QEMU: checked, then ignored.
         static const std::set<std::string> keys = {"order", "once", "menu", "splash", "splash-time",
                                                    "reboot-timeout", "strict"};
         auto props = split_props(a);
         for (size_t i = 0; i < props.size(); ++i) {
           auto& [k, v] = props[i];
           if (i == 0 && v.empty() && k.find_first_not_of("abcdnp") == std::string::npos) continue;  // -boot cd
           if (!keys.count(k)) return err = "-boot: invalid parameter '" + k + "'", false;
         }
         return true;
       }}},
      {"global", {true, [](Options& o, const std::string& a, std::string& err) {
         GlobalProperty g;
         auto props = split_props(a);
         if (!props.empty() && props[0].first.find('.') != std::string::npos && a.find("driver=") != 0) {
           auto dot = props[0].first.find('.');
           g = {props[0].first.substr(0, dot), props[0].first.substr(dot + 1), props[0].second};
         } else {
           for (auto& [k, v] : props) {
             if (k == "driver") g.driver = v;
             else if (k == "property") g.property = v;
             else if (k == "value") g.value = v;
             else return err = "-global " + a + ": invalid parameter '" + k + "'", false;
           }
         }
         if (g.driver.empty() || g.property.empty())
           return err = "-global " + a + ": expected DRIVER.PROPERTY=VALUE or driver=D,property=P,value=V", false;
         if (!check_global(g, err)) return err = "-global " + a + ": " + err, false;
         o.globals.push_back(g);
         return true;
       }}},
      {"incoming", {true, [](Options& o, const std::string& a, std::string& err) {
         if (a.rfind("file:", 0) != 0 || a.size() == 5)
           return err = "-incoming " + a + ": only file:PATH is supported (a state saved by 'migrate file:PATH')", false;
         o.incoming = a.substr(5);
         return true;
       }}},
      {"loadvm", {true, [](Options& o, const std::string& a, std::string&) {
         o.loadvm = a;
         return true;
       }}},
      {"max-insns", {true, [](Options& o, const std::string& a, std::string& err) {
         if (!parse_u64(a, o.max_insns)) return err = "-max-insns " + a + ": not a number", false;
         return true;
       }}},
      {"rr-check-interval", {true, [](Options& o, const std::string& a, std::string& err) {
         if (!parse_u64(a, o.rr_check_interval)) return err = "-rr-check-interval " + a + ": not a number", false;
         return true;
       }}},
      {"rr-trail-interval", {true, [](Options& o, const std::string& a, std::string& err) {
         if (!parse_u64(a, o.rr_trail_interval)) return err = "-rr-trail-interval " + a + ": not a number", false;
         return true;
       }}},
      {"rr-ram-check-interval", {true, [](Options& o, const std::string& a, std::string& err) {
         if (!parse_u64(a, o.rr_ram_check_interval))
           return err = "-rr-ram-check-interval " + a + ": not a number", false;
         return true;
       }}},
      {"rr-net-check", {false, [](Options& o, const std::string&, std::string&) { o.rr_net_check = true; return true; }}},
      {"debug-miscompile", {true, [](Options& o, const std::string& a, std::string& err) {
         if (a != "mul") return err = "-debug-miscompile: only 'mul' can be planted", false;
         o.debug_miscompile = a;
         return true;
       }}},
      {"rr-probe", {true, [](Options& o, const std::string& a, std::string&) { o.rr_probe = a; return true; }}},
      {"rr-perturb", {true, [](Options& o, const std::string& a, std::string&) { o.rr_perturb = a; return true; }}},
      {"rr-snapshot-interval", {true, [](Options& o, const std::string& a, std::string& err) {
         if (!parse_u64(a, o.rr_snapshot_interval))
           return err = "-rr-snapshot-interval " + a + ": not a number of instructions", false;
         return true;
       }}},
      {"rr-snapshot-budget", {true, [](Options& o, const std::string& a, std::string& err) {
         if (!parse_size(a, o.rr_snapshot_budget) || o.rr_snapshot_budget < (16ull << 20))
           return err = "-rr-snapshot-budget " + a + ": not a size of at least 16M", false;
         return true;
       }}},
      {"s", {false, [](Options& o, const std::string&, std::string&) { o.gdb = "tcp::1234"; return true; }}},
      {"S", {false, [](Options& o, const std::string&, std::string&) { o.start_paused = true; return true; }}},
      {"gdb", {true, [](Options& o, const std::string& a, std::string&) { o.gdb = a; return true; }}},
      {"version", {false, [](Options& o, const std::string&, std::string&) { o.show_version = true; return true; }}},
      {"help", {false, [](Options& o, const std::string&, std::string&) { o.show_help = true; return true; }}},
      {"h", {false, [](Options& o, const std::string&, std::string&) { o.show_help = true; return true; }}},
  };
  return table;
}

// Options a user may reasonably pass that rewind does not have yet: refuse
// clearly instead of calling them invalid.
const std::map<std::string, std::string>& not_yet() {
  static const std::map<std::string, std::string> m = {
  };
  return m;
}

}  // namespace

bool parse_size(const std::string& s, uint64_t& out) {
  if (s.empty()) return false;
  size_t pos = 0;
  while (pos < s.size() && (isdigit(static_cast<unsigned char>(s[pos])) || s[pos] == '.')) ++pos;
  if (pos == 0) return false;
  double v = std::strtod(s.substr(0, pos).c_str(), nullptr);
  std::string suffix = s.substr(pos);
  double mult;
  if (suffix.empty() || suffix == "M" || suffix == "m" || suffix == "MB" || suffix == "MiB") mult = 1 << 20;
  else if (suffix == "G" || suffix == "g" || suffix == "GB" || suffix == "GiB") mult = 1 << 30;
  else if (suffix == "K" || suffix == "k" || suffix == "KB" || suffix == "KiB") mult = 1 << 10;
  else if (suffix == "T" || suffix == "t") mult = 1099511627776.0;
  else if (suffix == "B" || suffix == "b") mult = 1;
  else return false;
  double bytes = v * mult;
  if (bytes <= 0 || bytes > 1e15) return false;
  out = static_cast<uint64_t>(bytes);
  return true;
}

bool parse_rtc_date(const std::string& s, int64_t& out) {
  int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
  bool ok = (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 ||
             (h = mi = sec = 0, std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3)) &&
            static_cast<size_t>(n) == s.size();
  if (!ok || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return false;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  if (t == static_cast<time_t>(-1) || tm.tm_mday != d) return false;  // e.g. 2023-02-30
  out = static_cast<int64_t>(t);
  return true;
}

bool parse_options(int argc, char** argv, Options& opts, std::string& err) {
  const auto& table = option_table();
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') {
      err = arg + ": invalid option (options start with '-')";
      return false;
    }
    std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
    if (name == "machine") name = "M";
    auto it = table.find(name);
    if (it == table.end()) {
      auto ny = not_yet().find(name);
      if (ny != not_yet().end())
        err = "-" + name + ": not supported yet (" + ny->second + " is not implemented in this version of rewind)";
      else
        err = "-" + name + ": invalid option";
      return false;
    }
    std::string value;
    if (it->second.has_arg) {
      if (i + 1 >= argc) {
        err = "-" + name + ": requires an argument";
        return false;
      }
      value = argv[++i];
    }
    if (!it->second.handle(opts, value, err)) return false;
  }
  if (!opts.icount.rr.empty() && opts.icount.rrfile.empty()) {
    err = "-icount rr=" + opts.icount.rr + " needs rrfile=FILE";
    return false;
  }
  if (opts.icount.rr.empty() && !opts.icount.rrfile.empty()) {
    err = "-icount rrfile=" + opts.icount.rrfile + " needs rr=record or rr=replay";
    return false;
  }
  if (opts.daemonize) {
    // A daemon has no terminal: QEMU refuses the same.
    bool stdio = opts.nographic;
    for (const auto* list : {&opts.serial, &opts.monitors, &opts.qmps, &opts.qmps_pretty})
      for (const std::string& v : *list) stdio |= v == "stdio" || v == "mon:stdio";
    for (const std::string& c : opts.chardevs) stdio |= c.rfind("stdio", 0) == 0;
    if (stdio) {
      err = "-daemonize cannot be used with stdio (-nographic, -serial stdio, -monitor stdio, -chardev stdio)";
      return false;
    }
  }
  {
    std::vector<DriveSpec> drives;
    if (!parse_drive_specs(opts.drives, opts.snapshot, drives, err)) return false;
  }
  {
    NetConfig net;  // the network as a whole: ids, netdev= references
    if (!parse_net_config(opts.netdevs, opts.nics, opts.nets, opts.objects, net, err)) return false;
  }
  if (!opts.icount.rrdisk.empty() && opts.icount.rr.empty()) {
    err = "-icount rrdisk=" + opts.icount.rrdisk + " needs rr=record or rr=replay";
    return false;
  }
  if (opts.icount.align && !opts.icount.sleep) {
    err = "-icount align=on is incompatible with sleep=off";
    return false;
  }
  if (opts.icount.align && opts.icount.shift_auto) {
    err = "-icount align=on is incompatible with shift=auto";
    return false;
  }
  if (!opts.rr_perturb.empty() && opts.icount.rr != "replay") {
    err = "-rr-perturb only applies to a replay (-icount rr=replay)";
    return false;
  }
  if (!opts.rr_probe.empty() && opts.icount.rr != "replay") {
    err = "-rr-probe only applies to a replay (-icount rr=replay)";
    return false;
  }
  return true;
}

std::string version_text() {
  return std::string("rewind version ") + kRewindVersion + " (RISC-V rv64 record/replay emulator)\n";
}

std::string usage_text() {
  return "usage: rewind [options]\n"
         "QEMU-compatible options (as qemu-system-riscv64):\n"
         "  -M virt[,dumpdtb=FILE]   machine (only 'virt')\n"
         "  -m SIZE                  RAM size (default 128M)\n"
         "  -bios none|default|FILE  firmware\n"
         "  -kernel FILE             kernel or bare-metal program (ELF or flat binary)\n"
         "  -initrd FILE, -append STR, -dtb FILE\n"
         "  -nographic               serial console and monitor on stdio (C-a c switches, C-a x quits)\n"
         "  -serial DEV, -monitor DEV  DEV: stdio|mon:DEV|null|none|file:PATH|pipe:PATH|pty|\n"
         "                           tcp:[HOST]:PORT[,server=on,wait=off]|unix:PATH[,server=on,...]|chardev:ID\n"
         "  -chardev BACKEND,id=ID[,mux=on][,...]  BACKEND: null|stdio[,signal=off]|\n"
         "                           file,path=P[,input-path=I]|pipe,path=P|pty|\n"
         "                           socket,host=H,port=N|path=P[,server=on][,wait=off][,nodelay=on]\n"
         "  -mon chardev=ID[,mode=readline|control][,pretty=on]  a monitor (HMP, or QMP) on a chardev\n"
         "  -qmp DEV, -qmp-pretty DEV  the QMP (JSON) monitor on DEV (as -monitor DEV), e.g. unix:PATH,server=on,wait=off\n"
         "  -icount shift=N|auto[,sleep=on|off][,align=on]  instruction-counted virtual time\n"
         "  -d ITEM,...  -D FILE      logging (-d help lists items)\n"
         "  -singlestep, -accel tcg[,one-insn-per-tb=on]  one instruction per block\n"
         "  -accel tcg,jit=off       interpret blocks instead of compiling them to host code\n"
         "  -perfmap                 name compiled blocks for Linux perf in /tmp/perf-<pid>.map\n"
         "  -rtc base=utc|localtime|DATE[,clock=host|rt|vm]  the goldfish RTC's time\n"
         "  -device virtio-rng-device[,id=ID]  add a device (-device help lists them)\n"
         "  -netdev user|socket|hubport|tap,id=ID[,...]; -device virtio-net-device,netdev=ID[,mac=M]\n"
         "  -nic user[,...] | -net nic -net user | -nic none;  -object filter-replay|filter-dump,id=ID,netdev=ID[,...]\n"
         "  -fw_cfg [name=]opt/NAME,file=F|string=S   an item in the fw_cfg device's file directory\n"
         "  -drive file=F[,if=none|virtio|pflash][,unit=N][,id=ID][,format=raw|qcow2][,readonly=on][,snapshot=on][,cache=...]\n"
         "  -drive driver=blkreplay,if=none,image=ID,id=ID2; -device virtio-blk-device,drive=ID; -snapshot\n"
         "  -cpu rv64|any[,PROP=on|off,...]  the hart's extensions (-cpu rv64,help lists them)\n"
         "  -seed N, -no-reboot, -no-shutdown, -smp 1, -display none\n"
         "  -vnc :N|HOST:N|unix:PATH[,websocket=on|PORT][,share=...][,to=L]  a VNC server (-vnc help)\n"
         "  -s, -gdb DEV             the gdb stub on tcp::1234, or DEV: tcp:[HOST]:PORT, unix:PATH,server=on, chardev:ID\n"
         "  -S                       start stopped (gdb or the monitor's cont starts it)\n"
         "  -incoming file:PATH      start from a state saved by the monitor's 'migrate file:PATH'\n"
         "  -loadvm NAME             start from the snapshot NAME (the monitor's 'savevm NAME')\n"
         "  -name NAME[,process=P], -pidfile FILE, -daemonize, -boot ..., -k LANG\n"
         "  -global virtio-mmio.force-legacy=on|off  empty virtio-mmio slots: Version 1 (on, QEMU's default) or 2\n"
         "rewind options:\n"
         "  -log-bound start=N,end=M  log only instructions N..M-1 (by instruction count; alias -replay-log-bound)\n"
         "  -max-insns N              stop after N instructions\n"
         "  -icount shift=N,rr=record|replay,rrfile=FILE[,rrdisk=embed][,rrsnapshot=NAME]  record or replay the whole machine\n"
         "                           (rrdisk=embed: disk reads go into the recording; its replay needs no image)\n"
         "  -rr-check-interval N      full state checkpoint every N instructions (default 10000000)\n"
         "  -rr-trail-interval N      divergence trail: a state check every N instructions (default 2097152, 0: none)\n"
         "  -rr-ram-check-interval N  event checks hash RAM afresh at most every N instructions (default 1048576, 0: every event)\n"
         "  -rr-net-check             record: pin every frame the guest sends (length, CRC-32); the replay checks them\n"
         "  -rr-perturb icount=N,reg=xR[,bit=B]|ram=ADDR  (debug) change a replay on purpose\n"
         "  -debug-miscompile mul     (debug) compiled mul results off by one (see docs/divergence.md)\n"
         "  -rr-snapshot-interval N   replay: in-memory snapshot every N instructions, for replay_seek and\n"
         "                           reverse debugging (default 50000000; 0: only at the start)\n"
         "  -rr-snapshot-budget SIZE  replay: memory the snapshots may use (default 1G; older ones are thinned)\n"
         "  -version, -help\n";
}

}  // namespace rwd
