#include "monitor/hmp.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "ui/input_commands.h"
#include "util/version.h"

namespace rwd {

namespace {

struct Command {
  const char* names;  // "cont|c"
  const char* args;
  const char* help;
};

const Command kCommands[] = {
    {"cont|c", "", "resume emulation"},
    {"delvm", "tag", "delete a VM snapshot from its tag"},
    {"gdbserver", "[device]", "start gdbserver on given device (default 'tcp::1234'), stop with 'none'"},
    {"help|?", "[cmd]", "show the help"},
    {"info", "[subcommand]", "show various information about the system state"},
    {"loadvm", "tag", "restore a VM snapshot from its tag"},
    {"migrate", "uri", "save the machine's state to uri (file:PATH) and stop"},
    {"mouse_button", "state", "change mouse button state (1=L, 2=M, 4=R)"},
    {"mouse_move", "dx dy [dz]", "send mouse move events"},
    {"quit|q", "", "quit the emulator"},
    {"savevm", "[tag]", "save a VM snapshot. If no tag is provided, a new snapshot is created"},
    {"sendkey", "keys [hold_ms]", "send keys to the VM (e.g. 'sendkey ctrl-alt-f1', default hold time=100 ms)"},
    {"screendump", "filename [-f format] [device [head]]",
     "save screen from head 'head' of display device 'device' in specified format 'format' as image 'filename'. "
     "Currently only 'png' and 'ppm' formats are supported."},
    {"replay_break", "icount", "set breakpoint at the specified instruction count"},
    {"replay_delete_break", "", "remove the replay breakpoint"},
    {"replay_seek", "icount", "replay execution to the specified instruction count"},
    {"stop", "", "stop emulation"},
    {"system_reset", "", "reset the system"},
    {"x", "/fmt addr", "virtual memory dump starting at 'addr'"},
    {"xp", "/fmt addr", "physical memory dump starting at 'addr'"},
};

const Command kInfo[] = {
    {"block", "", "show the block devices"},
    {"mice", "", "show which guest mouse is receiving events"},
    {"mtree", "", "show memory tree"},
    {"name", "", "show the current VM name"},
    {"network", "", "show the network state"},
    {"qtree", "", "show device tree"},
    {"registers", "", "show the cpu registers"},
    {"replay", "", "show record/replay information"},
    {"snapshots", "", "show the currently saved VM snapshots"},
    {"status", "", "show the current VM status (running|paused)"},
};

bool named(const Command& c, const std::string& word) {
  std::stringstream ss(c.names);
  std::string n;
  while (std::getline(ss, n, '|'))
    if (n == word) return true;
  return false;
}

std::string help_line(const char* prefix, const Command& c) {
  return std::string(prefix) + c.names + (*c.args ? " " : "") + c.args + " -- " + c.help + "\n";
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string w;
  while (ss >> w) out.push_back(w);
  return out;
}

bool parse_address(const std::string& s, uint64_t& out) {
  if (s.empty() || s[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno || *end) return false;
  out = v;
  return true;
}

}  // namespace

Hmp::Hmp(CharBackend& chr, MonitorTarget& target) : chr_(chr), target_(target) {
  chr_.set_frontend(this);
  if (chr_.is_open()) char_event(CharEvent::kOpened);
}

Hmp::~Hmp() { chr_.set_frontend(nullptr); }

std::string Hmp::banner() {
  return std::string("rewind ") + kRewindVersion + " monitor - type 'help' for more information\n";
}

void Hmp::char_event(CharEvent e) {
  if (e == CharEvent::kClosed || e == CharEvent::kFocusOut) return;
  line_.clear();
  escape_ = 0;
  // A new client gets the banner; coming back through C-a c only the prompt.
  if (e == CharEvent::kOpened || !banner_done_) print(banner());
  banner_done_ = true;
  print(kPrompt);
}

void Hmp::print(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  chr_.write(out);
  chr_.flush();
}

void Hmp::input(const uint8_t* data, size_t len) {
  for (size_t i = 0; i < len; ++i) input_byte(data[i]);
}

void Hmp::input_byte(uint8_t c) {
  bool was_cr = after_cr_;
  after_cr_ = false;
  if (escape_ == 1) {
    escape_ = (c == '[' || c == 'O') ? 2 : 0;
    return;
  }
  if (escape_ == 2) {
    if (c >= 0x40 && c <= 0x7e) escape_ = 0;
    return;
  }
  switch (c) {
    case '\n':
      if (was_cr) return;  // "\r\n" is one Enter
      [[fallthrough]];
    case '\r': {
      after_cr_ = c == '\r';
      print("\n");
      std::string line = std::move(line_);
      line_.clear();
      print(execute(line));
      print(kPrompt);
      return;
    }
    case 0x7f:
    case '\b':
      if (!line_.empty()) {
        line_.pop_back();
        print("\b \b");
      }
      return;
    case 0x15:  // ^U: kill the line
    case 0x03:  // ^C
      line_.clear();
      print(c == 0x03 ? "\n" : "\r\x1b[K");
      print(kPrompt);
      return;
    case 0x1b: escape_ = 1; return;
    default:
      if (c < 0x20 || line_.size() >= 4096) return;
      line_ += static_cast<char>(c);
      chr_.write(&c, 1);
  }
}

std::string Hmp::execute(const std::string& line) {
  std::vector<std::string> w = words(line);
  if (w.empty()) return "";
  std::string cmd = w[0];
  std::string rest = line.substr(line.find(cmd) + cmd.size());
  // "x/4xw ADDR": the format may touch the command name.
  if (auto slash = cmd.find('/'); slash != std::string::npos && slash > 0) {
    rest = cmd.substr(slash) + " " + rest;
    cmd.resize(slash);
  }
  if (cmd == "help" || cmd == "?") {
    std::string out;
    for (const Command& c : kCommands)
      if (w.size() < 2 || named(c, w[1])) out += help_line("", c);
    if (w.size() >= 2 && w[1] == "info")
      for (const Command& c : kInfo) out += help_line("info ", c);
    return out.empty() ? "unknown command: '" + w[1] + "'\n" : out;
  }
  if (cmd == "info") return info(w.size() > 1 ? w[1] : "");
  if (cmd == "x" || cmd == "xp") return memory(cmd == "xp", rest);
  if (cmd == "migrate") {
    if (w.size() != 2) return "migrate: usage: migrate file:PATH\n";
    return target_.migrate(w[1]);
  }
  if (cmd == "savevm" || cmd == "loadvm" || cmd == "delvm") return snapshot_command(cmd, w);
  if (cmd == "replay_break" || cmd == "replay_seek") {
    uint64_t icount;
    if (w.size() != 2) return cmd + ": usage: " + cmd + " ICOUNT\n";
    if (!parse_address(w[1], icount)) return cmd + ": invalid instruction count '" + w[1] + "'\n";
    return cmd == "replay_break" ? target_.replay_break(icount) : target_.replay_seek(icount);
  }
  if (cmd == "screendump") return screendump(w);
  if (cmd == "gdbserver") {
    if (w.size() > 2) return "gdbserver: usage: gdbserver [device]\n";
    return target_.gdbserver(w.size() > 1 ? w[1] : "tcp::1234");
  }
  if (cmd == "sendkey" || cmd == "mouse_move" || cmd == "mouse_button") {
    InputCommands* in = target_.input_commands();
    return in ? in->hmp(w) : "";  // no input devices: nothing to send to, as QEMU
  }
  if (w.size() > 1) return cmd + ": too many arguments\n";
  if (cmd == "replay_delete_break") return target_.replay_delete_break();
  if (cmd == "stop") {
    target_.pause();
    return "";
  }
  if (cmd == "cont" || cmd == "c") {
    target_.resume();
    return "";
  }
  if (cmd == "system_reset") {
    std::string why = target_.request_reset();
    return why.empty() ? "" : "system_reset: " + why + "\n";
  }
  if (cmd == "quit" || cmd == "q") {
    target_.request_quit();
    return "";
  }
  return "unknown command: '" + cmd + "'\n";
}

std::string Hmp::info(const std::string& what) {
  if (what.empty()) {
    std::string out;
    for (const Command& c : kInfo) out += help_line("info ", c);
    return out;
  }
  if (what == "status") {
    // As QEMU: "paused", with the reason when something other than `stop` paused it.
    std::string state = target_.run_state();
    if (state == "running" || state == "paused") return "VM status: " + state + "\n";
    return "VM status: paused (" + state + ")\n";
  }
  if (what == "registers") return target_.registers_text();
  if (what == "mtree") return target_.mtree_text();
  if (what == "qtree") return target_.qtree_text();
  if (what == "replay") return target_.replay_text();
  if (what == "block") return target_.block_text();
  if (what == "snapshots") return target_.snapshots_text();
  if (what == "network") return target_.network_text();
  if (what == "mice")
    return target_.input_commands() ? target_.input_commands()->info_mice() : "No mouse devices connected\n";
  if (what == "name") return target_.vm_name().empty() ? "" : target_.vm_name() + "\n";
  return "info: unknown subcommand '" + what + "' (try 'info')\n";
}

// screendump filename [-f format] [device [head]], as QEMU 7.2's HMP.
std::string Hmp::screendump(const std::vector<std::string>& w) {
  if (w.size() < 2) return "screendump: usage: screendump filename [-f format] [device [head]]\n";
  std::string format, device;
  int64_t head = 0;
  std::vector<std::string> positional;
  for (size_t i = 2; i < w.size(); ++i) {
    if (w[i] == "-f") {
      if (++i == w.size()) return "screendump: -f needs a format (ppm or png)\n";
      format = w[i];
    } else {
      positional.push_back(w[i]);
    }
  }
  if (positional.size() > 2) return "screendump: too many arguments\n";
  if (!positional.empty()) device = positional[0];
  if (positional.size() == 2) {
    uint64_t h;
    if (!parse_address(positional[1], h) || h > INT32_MAX) return "screendump: invalid head '" + positional[1] + "'\n";
    head = static_cast<int64_t>(h);
  }
  if (!format.empty() && format != "ppm" && format != "png") return "Error: invalid parameter value: " + format + "\n";
  std::string error_class;
  std::string err = target_.screendump(w[1], device, head, format, error_class);
  return err.empty() ? "" : "Error: " + err;
}

// savevm [tag], loadvm tag, delvm tag: one tag (QEMU's tags have no spaces
// either when typed at the monitor).
std::string Hmp::snapshot_command(const std::string& cmd, const std::vector<std::string>& w) {
  if (w.size() > 2) return cmd + ": too many arguments\n";
  if (cmd == "savevm") return target_.savevm(w.size() == 2 ? w[1] : "");
  if (w.size() != 2) return cmd + ": usage: " + cmd + " tag\n";
  return cmd == "loadvm" ? target_.loadvm(w[1]) : target_.delvm(w[1]);
}

// x /fmt addr, xp /fmt addr (the format may be left out: the last one is used).
std::string Hmp::memory(bool physical, const std::string& args) {
  const char* name = physical ? "xp" : "x";
  std::vector<std::string> w = words(args);
  DumpFormat f = last_format_;
  size_t i = 0;
  if (i < w.size() && w[i][0] == '/') {
    std::string err;
    if (!parse_dump_format(w[i], f, err)) return std::string(name) + ": " + err + "\n";
    ++i;
  }
  if (i >= w.size()) return std::string(name) + ": missing address (" + name + " /fmt addr)\n";
  uint64_t addr;
  if (!parse_address(w[i], addr)) return std::string(name) + ": invalid address '" + w[i] + "'\n";
  if (i + 1 < w.size()) return std::string(name) + ": too many arguments\n";
  last_format_ = f;
  return dump_memory(target_, physical, addr, f);
}

}  // namespace rwd
