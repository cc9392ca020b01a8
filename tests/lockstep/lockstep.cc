// lockstep: run one guest in two RISC-V system emulators (QEMU and rewind) with a CPU-state dump
// before every instruction, read both dumps through FIFOs, and report the first instruction
// whose state differs.  See docs/lockstep.md.
//
// Exit status: 0 = identical, 1 = states differ (or one log ended early),
//              2 = usage/setup error, timeout, unparsable log, or interrupted.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

constexpr int kExitSame = 0;
constexpr int kExitDiffer = 1;
constexpr int kExitError = 2;

constexpr size_t kMaxFields = 160;

// ---------------------------------------------------------------------------------------------
// Field registry: every "name value" seen in a dump gets a slot.  GPRs/FPRs are keyed by their
// architectural name ("x5", "f10"); the ABI name after the '/' is remembered for display and
// for --ignore/--compare.

struct Fields {
  std::vector<std::string> key;      // "x5", "mstatus", "pc", "V"
  std::vector<std::string> display;  // "x5/t0"
  std::vector<bool> compared;
  std::unordered_map<std::string, size_t> index;
  bool overflow_warned = false;
};
Fields g_fields;

struct Config {
  std::vector<std::string> common_args;
  std::vector<std::string> a_only_args, b_only_args;
  std::string a_path = "qemu-system-riscv64";
  std::string b_path = "build/rewind";
  std::string a_label = "qemu", b_label = "rewind";
  std::string a_log, b_log;  // compare existing logs instead of spawning
  uint64_t max = 0;          // 0 = no limit
  double timeout_s = 60;
  size_t context = 10;
  size_t max_dups = 4;
  bool fpu = true;
  bool add_defaults = true;
  bool compare_all = false;
  bool verbose = false;
  std::vector<std::string> ignore, compare_extra;
  std::string out_dir;
};
Config g_cfg;

bool ListHas(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool InDefaultSet(const std::string& key) {
  static const char* const kCsrs[] = {"pc",    "V",      "priv",  "mstatus", "mepc",
                                      "mcause", "mtval", "mtvec", "sepc",    "scause",
                                      "stval", "stvec",  "satp"};
  for (const char* c : kCsrs)
    if (key == c) return true;
  if (key.size() >= 2 && (key[0] == 'x' || key[0] == 'f') &&
      std::all_of(key.begin() + 1, key.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return key != "x0";
  return false;
}

// Does `name` (from --ignore/--compare) designate this field?
bool Designates(const std::string& name, const std::string& key, const std::string& display) {
  if (name == key || name == display) return true;
  size_t slash = display.find('/');
  if (slash != std::string::npos && name == display.substr(slash + 1)) return true;
  bool gpr = key.size() >= 2 && key[0] == 'x' && display.find('/') != std::string::npos;
  bool fpr = key.size() >= 2 && key[0] == 'f' && display.find('/') != std::string::npos;
  if (name == "gprs" && gpr) return true;
  if (name == "fprs" && fpr) return true;
  if (name == "csrs" && !gpr && !fpr && key != "pc") return true;
  return false;
}

bool DecideCompared(const std::string& key, const std::string& display) {
  for (const auto& n : g_cfg.ignore)
    if (Designates(n, key, display)) return false;
  if (g_cfg.compare_all) return true;
  for (const auto& n : g_cfg.compare_extra)
    if (Designates(n, key, display)) return true;
  return InDefaultSet(key);
}

// Returns the slot for a field, creating it; SIZE_MAX when the table is full.
size_t FieldSlot(std::string_view name) {
  std::string_view key = name;
  size_t slash = name.find('/');
  if (slash != std::string_view::npos) key = name.substr(0, slash);
  std::string k(key);
  auto it = g_fields.index.find(k);
  if (it != g_fields.index.end()) return it->second;
  if (g_fields.key.size() >= kMaxFields) {
    if (!g_fields.overflow_warned)
      fprintf(stderr, "lockstep: warning: more than %zu distinct fields; ignoring '%s'\n",
              kMaxFields, k.c_str());
    g_fields.overflow_warned = true;
    return SIZE_MAX;
  }
  size_t slot = g_fields.key.size();
  g_fields.key.push_back(k);
  g_fields.display.emplace_back(name);
  g_fields.compared.push_back(DecideCompared(k, std::string(name)));
  g_fields.index.emplace(std::move(k), slot);
  return slot;
}

// ---------------------------------------------------------------------------------------------
// One CPU-state dump.

struct State {
  std::array<uint64_t, kMaxFields> v{};
  std::bitset<kMaxFields> has;
  uint64_t seq = 0;  // 0-based number of the dump in its log
};

// `a` is a re-log of `prev` (docs/lockstep.md 5.): the same dump again, except that `mip` may
// have changed. QEMU under icount checks its instruction budget at the start of the
// instruction's TB, after printing the dump; when the budget has run out it goes back to its
// main loop, which raises a due timer in mip, and then runs the TB again, printing the dump a
// second time. If the timer's interrupt is not enabled, nothing else changes.
bool ReLogOf(const State& a, const State& prev) {
  if (a.has != prev.has) return false;
  for (size_t i = 0; i < g_fields.key.size(); i++)
    if (a.has[i] && a.v[i] != prev.v[i] && g_fields.key[i] != "mip") return false;
  return true;
}

bool SameCompared(const State& a, const State& b) {
  for (size_t i = 0; i < g_fields.key.size(); i++)
    if (g_fields.compared[i] && a.has[i] && b.has[i] && a.v[i] != b.v[i]) return false;
  return true;
}

uint64_t Get(const State& s, std::string_view key) {
  auto it = g_fields.index.find(std::string(key));
  if (it == g_fields.index.end() || !s.has[it->second]) return 0;
  return s.v[it->second];
}

bool Has(const State& s, std::string_view key) {
  auto it = g_fields.index.find(std::string(key));
  return it != g_fields.index.end() && s.has[it->second];
}

// `y` is the first dump of an interrupt handler entered at `x`'s pc *instead of* executing `x`:
// x[c]ause became an interrupt, x[e]pc = x.pc, and no register changed. QEMU prints such a dump
// when an icount timer deadline is due at the start of the instruction (docs/lockstep.md 5.).
bool InterruptedBefore(const State& x, const State& y) {
  bool entered = false;
  for (const char* lvl : {"m", "s"}) {
    std::string cause = std::string(lvl) + "cause", epc = std::string(lvl) + "epc";
    if (!Has(y, cause) || !Has(y, epc) || !Has(x, "pc")) continue;
    if ((Get(y, cause) >> 63) && Get(y, epc) == Get(x, "pc") &&
        (Get(x, cause) != Get(y, cause) || Get(x, epc) != Get(y, epc)))
      entered = true;
  }
  if (!entered) return false;
  for (size_t i = 0; i < g_fields.key.size(); i++) {
    const std::string& k = g_fields.key[i];
    bool reg = k.size() >= 2 && (k[0] == 'x' || k[0] == 'f') && k[1] >= '0' && k[1] <= '9';
    if (reg && x.has[i] && y.has[i] && x.v[i] != y.v[i]) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Incremental parser of QEMU's riscv "-d cpu" text (see docs/lockstep.md for the layout).

bool ParseHex(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    v = v << 4 | uint64_t(d);
  }
  *out = v;
  return true;
}

constexpr std::array<int8_t, 256> MakeHexTable() {
  std::array<int8_t, 256> t{};
  for (auto& x : t) x = -1;
  for (int c = '0'; c <= '9'; c++) t[c] = int8_t(c - '0');
  for (int c = 'a'; c <= 'f'; c++) t[c] = int8_t(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; c++) t[c] = int8_t(c - 'A' + 10);
  return t;
}
constexpr std::array<int8_t, 256> kHex = MakeHexTable();

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 24) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '/' || c == '_' || c == '.'))
      return false;
  return true;
}

class DumpParser {
 public:
  explicit DumpParser(std::deque<State>* out) : out_(out) {}

  void Line(std::string_view line) {
    if (FastLine(line)) return;
    std::array<std::string_view, 16> tok;
    size_t n = 0;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) i++;
      if (i >= line.size()) break;
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') j++;
      if (n == tok.size()) { ignored_++; return; }
      tok[n++] = line.substr(i, j - i);
      i = j;
    }
    if (n == 0) return;
    // " V      =   0": the first line of a dump on a CPU with the H extension.
    if (n == 3 && tok[0] == "V" && tok[1] == "=") {
      uint64_t v;
      if (!ParseHex(tok[2], &v)) { ignored_++; return; }
      StartDump();
      Set("V", v);
      return;
    }
    if (n % 2 != 0) { ignored_++; return; }
    std::array<uint64_t, 8> vals;
    for (size_t k = 0; k < n; k += 2) {
      if (!ValidName(tok[k]) || !ParseHex(tok[k + 1], &vals[k / 2])) { ignored_++; return; }
    }
    for (size_t k = 0; k < n; k += 2) {
      if (tok[k] == "pc" && (!in_dump_ || has_pc_)) StartDump();
      if (!in_dump_) { ignored_++; return; }  // a register line before any dump start
      Set(tok[k], vals[k / 2]);
      if (tok[k] == "pc") has_pc_ = true;
    }
  }

  // End of the log: the last dump is kept only if it is as complete as the first one.
  void Finish() {
    if (!in_dump_) return;
    in_dump_ = false;
    if (has_pc_ && cur_.has.count() >= first_count_) Emit();
    else truncated_ = true;
  }

  // QEMU's register lines are fields of exactly 26 characters: ' ', the name padded to 8,
  // ' ', 16 hex digits.  Parse those without tokenizing; anything else takes the slow path.
  bool FastLine(std::string_view line) {
    if (line.empty() || line.size() % 26 != 0 || line.size() > 26 * 8) return false;
    size_t nf = line.size() / 26;
    std::array<uint64_t, 8> vals;
    std::array<std::string_view, 8> names;
    for (size_t k = 0; k < nf; k++) {
      const char* f = line.data() + 26 * k;
      if (f[0] != ' ' || f[9] != ' ' || f[1] == ' ') return false;
      size_t len = 8;
      while (len > 0 && f[len] == ' ') len--;
      names[k] = std::string_view(f + 1, len);
      uint64_t v = 0;
      for (int j = 10; j < 26; j++) {
        int d = kHex[static_cast<unsigned char>(f[j])];
        if (d < 0) return false;
        v = v << 4 | uint64_t(d);
      }
      vals[k] = v;
    }
    for (size_t k = 0; k < nf; k++) {
      char c = names[k][0];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
    }
    for (size_t k = 0; k < nf; k++) {
      if (names[k] == "pc" && (!in_dump_ || has_pc_)) StartDump();
      if (!in_dump_) { ignored_++; return true; }
      Set(names[k], vals[k]);
      if (names[k] == "pc") has_pc_ = true;
    }
    return true;
  }

  uint64_t dumps() const { return seq_; }
  uint64_t ignored() const { return ignored_; }
  bool truncated() const { return truncated_; }

 private:
  void StartDump() {
    if (in_dump_ && has_pc_) Emit();
    cur_.has.reset();
    in_dump_ = true;
    has_pc_ = false;
    pos_ = 0;
  }
  void Emit() {
    if (first_count_ == 0) first_count_ = cur_.has.count();
    cur_.seq = seq_++;
    out_->push_back(cur_);
  }
  // Dumps have a fixed layout, so the field at position pos_ is almost always the same as in
  // the previous dump: compare names instead of hashing them.
  void Set(std::string_view name, uint64_t v) {
    size_t slot;
    if (pos_ < layout_.size() && layout_[pos_].first == name) {
      slot = layout_[pos_].second;
    } else {
      slot = FieldSlot(name);
      if (pos_ >= layout_.size()) layout_.resize(pos_ + 1);
      layout_[pos_] = {std::string(name), slot};
    }
    pos_++;
    if (slot == SIZE_MAX) return;
    cur_.v[slot] = v;
    cur_.has.set(slot);
  }

  std::deque<State>* out_;
  State cur_;
  bool in_dump_ = false;
  bool has_pc_ = false;
  bool truncated_ = false;
  size_t first_count_ = 0;
  size_t pos_ = 0;
  std::vector<std::pair<std::string, size_t>> layout_;
  uint64_t seq_ = 0;
  uint64_t ignored_ = 0;
};

// ---------------------------------------------------------------------------------------------
// One emulator: child process, the FIFO it logs into, parsed states.

using Clock = std::chrono::steady_clock;

struct Side {
  std::string label;
  pid_t pid = -1;
  bool reaped = false;
  int status = 0;
  int fd = -1;        // read end of the log
  int keep_wr = -1;   // our own write end: keeps read() from seeing EOF before the child exits
  bool eof = false;
  bool spawned = false;
  std::string partial;
  std::deque<State> q;
  DumpParser parser{&q};
  std::optional<State> prev;  // last state consumed (matched or skipped as a duplicate)
  uint64_t dups = 0;
  uint64_t interrupted = 0;   // dumps skipped because an interrupt came before the instruction
  size_t run_dups = 0;        // consecutive duplicates skipped just now
  Clock::time_point last_data = Clock::now();
  std::string out_file;       // child's stdout+stderr
  std::string exe;
};

volatile sig_atomic_t g_signal = 0;
void OnSignal(int sig) { g_signal = sig; }

std::string g_tmpdir;
Side g_a, g_b;

void Reap(Side* s, bool block) {
  if (s->pid <= 0 || s->reaped) return;
  int st;
  pid_t r = waitpid(s->pid, &st, block ? 0 : WNOHANG);
  if (r == s->pid) {
    s->reaped = true;
    s->status = st;
    if (s->keep_wr >= 0) { close(s->keep_wr); s->keep_wr = -1; }
  }
}

void KillChild(Side* s) {
  if (s->fd >= 0) { close(s->fd); s->fd = -1; }  // unblocks a writer stuck on a full FIFO
  if (s->keep_wr >= 0) { close(s->keep_wr); s->keep_wr = -1; }
  if (s->pid <= 0 || s->reaped) return;
  kill(-s->pid, SIGTERM);  // the child leads its own process group
  kill(s->pid, SIGTERM);
  for (int i = 0; i < 40 && !s->reaped; i++) {
    usleep(25000);
    Reap(s, false);
  }
  if (!s->reaped) {
    kill(-s->pid, SIGKILL);
    kill(s->pid, SIGKILL);
    Reap(s, true);
  }
}

std::string StatusText(const Side& s) {
  if (!s.spawned) return "";
  if (!s.reaped) return "still running (killed by lockstep)";
  char buf[64];
  if (WIFEXITED(s.status)) snprintf(buf, sizeof buf, "exited with status %d", WEXITSTATUS(s.status));
  else if (WIFSIGNALED(s.status)) snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(s.status));
  else snprintf(buf, sizeof buf, "status 0x%x", s.status);
  return buf;
}

void PrintTail(const Side& s, int lines) {
  if (s.out_file.empty()) return;
  FILE* f = fopen(s.out_file.c_str(), "r");
  if (!f) return;
  std::vector<std::string> ring;
  char buf[512];
  while (fgets(buf, sizeof buf, f)) {
    ring.emplace_back(buf);
    if (ring.size() > size_t(lines)) ring.erase(ring.begin());
  }
  fclose(f);
  if (ring.empty()) return;
  fprintf(stderr, "---- last output of %s (%s) ----\n", s.label.c_str(), s.out_file.c_str());
  for (auto& l : ring) {
    fputs(l.c_str(), stderr);
    if (l.empty() || l.back() != '\n') fputc('\n', stderr);
  }
}

void Cleanup() {
  KillChild(&g_a);
  KillChild(&g_b);
  if (!g_tmpdir.empty()) {
    for (const char* n : {"/a.fifo", "/b.fifo"}) unlink((g_tmpdir + n).c_str());
    if (g_cfg.out_dir.empty()) {
      unlink(g_a.out_file.c_str());
      unlink(g_b.out_file.c_str());
    }
    rmdir(g_tmpdir.c_str());
  }
}

[[noreturn]] void Exit(int code) {
  Cleanup();
  fflush(stdout);
  exit(code);
}

[[noreturn]] void Fail(const char* fmt, const std::string& arg = "") {
  fprintf(stderr, "lockstep: ");
  fprintf(stderr, fmt, arg.c_str());
  fprintf(stderr, "\n");
  Exit(kExitError);
}

bool HasOpt(const std::vector<std::string>& args, std::initializer_list<const char*> names) {
  for (const auto& a : args)
    for (const char* n : names) {
      std::string o(n), oo(1, '-');
      oo.append(n);  // (not "-" + std::string(n): GCC 12 -Wrestrict false positive)
      if (a == o || a == oo || a.rfind(o + "=", 0) == 0 || a.rfind(oo + "=", 0) == 0) return true;
    }
  return false;
}

void Spawn(Side* s, const std::string& exe, const std::vector<std::string>& only_args,
           const std::string& fifo) {
  std::vector<std::string> args;
  args.push_back(exe);
  const auto& common = g_cfg.common_args;
  args.insert(args.end(), common.begin(), common.end());
  args.insert(args.end(), only_args.begin(), only_args.end());
  std::vector<std::string> all(common);
  all.insert(all.end(), only_args.begin(), only_args.end());
  if (g_cfg.add_defaults) {
    if (!HasOpt(all, {"-accel", "-enable-kvm"}))
      args.insert(args.end(), {"-accel", "tcg,thread=single"});
    if (!HasOpt(all, {"-icount"})) args.insert(args.end(), {"-icount", "shift=0,sleep=off"});
    if (!HasOpt(all, {"-seed"})) args.insert(args.end(), {"-seed", "1"});
    if (!HasOpt(all, {"-nographic", "-display"})) args.insert(args.end(), {"-display", "none"});
  }
  if (HasOpt(all, {"-d", "-D", "-singlestep"}))
    Fail("don't pass -d/-D/-singlestep yourself: lockstep adds its own logging options%s");
  args.insert(args.end(), {"-singlestep", "-d", g_cfg.fpu ? "cpu,fpu,nochain" : "cpu,nochain",
                           "-D", fifo});

  if (mkfifo(fifo.c_str(), 0600) != 0) Fail("mkfifo %s failed", fifo);
  s->fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (s->fd < 0) Fail("cannot open FIFO %s", fifo);
  s->keep_wr = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (s->keep_wr < 0) Fail("cannot open FIFO %s for writing", fifo);
  fcntl(s->fd, F_SETPIPE_SZ, 1 << 20);  // best effort: fewer wake-ups

  int out = open(s->out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) Fail("cannot create %s", s->out_file);

  if (g_cfg.verbose) {
    fprintf(stderr, "lockstep: %s:", s->label.c_str());
    for (auto& a : args) fprintf(stderr, " %s", a.c_str());
    fprintf(stderr, "\n");
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) Fail("fork failed%s");
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out, 1);
    dup2(out, 2);
    execvp(argv[0], argv.data());
    fprintf(stderr, "lockstep: cannot execute %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid);
  close(out);
  s->pid = pid;
  s->spawned = true;
  s->exe = exe;
  s->last_data = Clock::now();
}

void OpenLog(Side* s, const std::string& path) {
  s->fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);  // blocks until a FIFO has a writer
  if (s->fd < 0) Fail("cannot open log %s", path);
  fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
}

// Reads what is available; returns true if any bytes arrived.
bool Pump(Side* s) {
  if (s->eof || s->fd < 0) return false;
  static std::vector<char> buf(1 << 20);
  bool got = false;
  for (int rounds = 0; rounds < 4; rounds++) {
    ssize_t r = read(s->fd, buf.data(), buf.size());
    if (r > 0) {
      got = true;
      s->last_data = Clock::now();
      size_t start = 0;
      std::string_view data(buf.data(), size_t(r));
      if (!s->partial.empty()) {
        size_t nl = data.find('\n');
        if (nl == std::string_view::npos) { s->partial.append(data); continue; }
        s->partial.append(data.substr(0, nl));
        s->parser.Line(s->partial);
        s->partial.clear();
        start = nl + 1;
      }
      while (start < data.size()) {
        size_t nl = data.find('\n', start);
        if (nl == std::string_view::npos) { s->partial.assign(data.substr(start)); break; }
        s->parser.Line(data.substr(start, nl - start));
        start = nl + 1;
      }
      if (size_t(r) < buf.size()) break;
    } else if (r == 0) {
      // Only possible once no writer is left (our keep_wr is closed when the child is reaped).
      if (!s->partial.empty()) { s->parser.Line(s->partial); s->partial.clear(); }
      s->parser.Finish();
      s->eof = true;
      close(s->fd);
      s->fd = -1;
      break;
    } else {
      if (errno != EAGAIN && errno != EINTR) Fail("read error on a log: %s", strerror(errno));
      break;
    }
  }
  return got;
}

// ---------------------------------------------------------------------------------------------
// Reporting.

struct History {
  std::deque<std::pair<uint64_t, uint64_t>> pcs;  // (instruction index, pc)
};

std::string Hex(uint64_t v) {
  char b[20];
  snprintf(b, sizeof b, "%016llx", (unsigned long long)v);
  return b;
}

void PrintContext(const History& h) {
  if (h.pcs.empty()) return;
  printf("last %zu identical instructions (index: pc):\n", h.pcs.size());
  for (auto& [i, pc] : h.pcs) printf("  %10llu: %s\n", (unsigned long long)i, Hex(pc).c_str());
}

// Fields printed by one side only are not compared; for pc and the GPRs/FPRs that is an error
// (the dump layout of the second emulator is wrong), for CSRs a note.
void ReportLayout(const State& a, const State& b) {
  std::string only_a, only_b, fatal;
  for (size_t i = 0; i < g_fields.key.size(); i++) {
    if (a.has[i] == b.has[i]) continue;
    const std::string& k = g_fields.key[i];
    bool reg = k == "pc" || g_fields.display[i].find('/') != std::string::npos;
    if (reg && g_fields.compared[i]) fatal += " " + g_fields.display[i];
    (a.has[i] ? only_a : only_b) += " " + g_fields.display[i];
  }
  if (!fatal.empty()) {
    printf("lockstep: LAYOUT MISMATCH: registers printed by only one emulator:%s\n"
           "  %s only:%s\n  %s only:%s\n(see docs/lockstep.md; --ignore them to go on)\n",
           fatal.c_str(), g_a.label.c_str(), only_a.c_str(), g_b.label.c_str(), only_b.c_str());
    Exit(kExitError);
  }
  if (!only_a.empty())
    fprintf(stderr, "lockstep: note: printed only by %s (not compared):%s\n", g_a.label.c_str(),
            only_a.c_str());
  if (!only_b.empty())
    fprintf(stderr, "lockstep: note: printed only by %s (not compared):%s\n", g_b.label.c_str(),
            only_b.c_str());
}

[[noreturn]] void ReportMismatch(uint64_t index, const State& a, const State& b,
                                 const History& h) {
  printf("lockstep: MISMATCH at instruction %llu (%s dump %llu, %s dump %llu)\n",
         (unsigned long long)index, g_a.label.c_str(), (unsigned long long)a.seq,
         g_b.label.c_str(), (unsigned long long)b.seq);
  uint64_t pa = Get(a, "pc"), pb = Get(b, "pc");
  if (pa == pb) printf("  pc %s\n", Hex(pa).c_str());
  printf("  %-10s %-18s %-18s %s\n", "field", g_a.label.c_str(), g_b.label.c_str(),
         g_a.prev ? "before (both)" : "");
  std::string ignored;
  for (size_t i = 0; i < g_fields.key.size(); i++) {
    if (!a.has[i] || !b.has[i] || a.v[i] == b.v[i]) continue;
    if (!g_fields.compared[i]) { ignored += " " + g_fields.display[i]; continue; }
    std::string prev;
    if (g_a.prev && g_a.prev->has[i]) prev = Hex(g_a.prev->v[i]);
    printf("  %-10s %s   %s   %s\n", g_fields.display[i].c_str(), Hex(a.v[i]).c_str(),
           Hex(b.v[i]).c_str(), prev.c_str());
  }
  if (!ignored.empty()) printf("  (also differing, not compared:%s)\n", ignored.c_str());
  // What each side's dump changed since that side's previous one: a field list that differs
  // from the instruction's effect (or an empty one) points at a quirk of the logging.
  for (auto [side, s] : {std::pair{&g_a, &a}, std::pair{&g_b, &b}}) {
    if (!side->prev) continue;
    std::string changed;
    for (size_t i = 0; i < g_fields.key.size(); i++)
      if (s->has[i] && side->prev->has[i] && s->v[i] != side->prev->v[i])
        changed += " " + g_fields.display[i];
    printf("  changed in %s's dump since its previous one:%s\n", side->label.c_str(),
           changed.empty() ? " nothing" : changed.c_str());
  }
  PrintContext(h);
  fflush(stdout);
  PrintTail(g_a, 5);
  PrintTail(g_b, 5);
  Exit(kExitDiffer);
}

[[noreturn]] void ReportEarlyEnd(uint64_t index, Side* ended, Side* other, const History& h) {
  Reap(ended, false);
  std::string st = StatusText(*ended);
  if (!st.empty()) st = " (" + st + ")";
  printf("lockstep: MISMATCH: %s log ended after %llu instructions%s while %s goes on at pc %s\n",
         ended->label.c_str(), (unsigned long long)index, st.c_str(),
         other->label.c_str(), Hex(Get(other->q.front(), "pc")).c_str());
  if (ended->parser.truncated())
    printf("  (%s's last dump was incomplete and was dropped)\n", ended->label.c_str());
  PrintContext(h);
  fflush(stdout);
  PrintTail(g_a, 10);
  PrintTail(g_b, 10);
  Exit(kExitDiffer);
}

[[noreturn]] void ReportSame(uint64_t n, const char* why) {
  printf("lockstep: %llu instructions identical%s\n", (unsigned long long)n, why);
  if (g_cfg.verbose)
    fprintf(stderr, "lockstep: duplicate dumps skipped: %s %llu, %s %llu; ignored lines: %s %llu, %s %llu\n",
            g_a.label.c_str(), (unsigned long long)g_a.dups, g_b.label.c_str(),
            (unsigned long long)g_b.dups, g_a.label.c_str(),
            (unsigned long long)g_a.parser.ignored(), g_b.label.c_str(),
            (unsigned long long)g_b.parser.ignored());
  if (g_cfg.verbose)
    fprintf(stderr, "lockstep: dumps of interrupted instructions skipped: %s %llu, %s %llu\n",
            g_a.label.c_str(), (unsigned long long)g_a.interrupted, g_b.label.c_str(),
            (unsigned long long)g_b.interrupted);
  Exit(kExitSame);
}

// ---------------------------------------------------------------------------------------------

void Usage() {
  printf(
      "usage: lockstep [options] -- <qemu-style arguments common to both emulators>\n"
      "       lockstep [options] --log-a FILE --log-b FILE\n"
      "Runs the guest in both emulators with '-singlestep -d cpu[,fpu],nochain -D <fifo>' and\n"
      "stops at the first instruction whose CPU state differs.\n"
      "  --qemu PATH        first emulator (default qemu-system-riscv64)\n"
      "  --rewind PATH      second emulator (default build/rewind)\n"
      "  --qemu-arg ARG     extra argument for the first emulator only (repeatable)\n"
      "  --rewind-arg ARG   extra argument for the second emulator only (repeatable)\n"
      "  --log-a F, --log-b F  compare two existing logs (files or FIFOs), spawn nothing\n"
      "  --max N            stop with success after N identical instructions\n"
      "  --ignore a,b,...   fields not to compare (names: pc mstatus x5 t0 x5/t0 f3 ...;\n"
      "                     groups: gprs fprs csrs)\n"
      "  --compare a,b,...  compare these fields too (e.g. mip,mie,mideleg)\n"
      "  --compare-all      compare every field both emulators print\n"
      "  --no-fpu           don't request/compare FPRs (-d cpu,nochain)\n"
      "  --no-defaults      don't add -accel tcg,thread=single, -icount shift=0,sleep=off,\n"
      "                     -seed 1, -display none when absent\n"
      "  --timeout SEC      give up if a log is silent that long (default 60)\n"
      "  --context N        identical instructions shown before a mismatch (default 10)\n"
      "  --max-dups N       consecutive repeated dumps tolerated on one side (default 4)\n"
      "  --output-dir DIR   keep the emulators' stdout/stderr there (qemu.out, rewind.out)\n"
      "  -v, --verbose      print command lines and statistics\n"
      "Exit: 0 identical, 1 different, 2 error/timeout.\n");
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> r;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) r.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return r;
}

void ParseArgs(int argc, char** argv) {
  int i = 1;
  auto need = [&](const char* opt) -> std::string {
    if (i + 1 >= argc) {
      fprintf(stderr, "lockstep: %s needs a value\n", opt);
      exit(kExitError);
    }
    return argv[++i];
  };
  for (; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--") {
      for (i++; i < argc; i++) g_cfg.common_args.push_back(argv[i]);
      break;
    }
    if (a == "-h" || a == "--help") { Usage(); exit(0); }
    else if (a == "--qemu") g_cfg.a_path = need("--qemu");
    else if (a == "--rewind") g_cfg.b_path = need("--rewind");
    else if (a == "--qemu-arg") g_cfg.a_only_args.push_back(need("--qemu-arg"));
    else if (a == "--rewind-arg") g_cfg.b_only_args.push_back(need("--rewind-arg"));
    else if (a == "--log-a") g_cfg.a_log = need("--log-a");
    else if (a == "--log-b") g_cfg.b_log = need("--log-b");
    else if (a == "--max") g_cfg.max = strtoull(need("--max").c_str(), nullptr, 0);
    else if (a == "--ignore") for (auto& n : SplitComma(need("--ignore"))) g_cfg.ignore.push_back(n);
    else if (a == "--compare") for (auto& n : SplitComma(need("--compare"))) g_cfg.compare_extra.push_back(n);
    else if (a == "--compare-all") g_cfg.compare_all = true;
    else if (a == "--no-fpu") g_cfg.fpu = false;
    else if (a == "--no-defaults") g_cfg.add_defaults = false;
    else if (a == "--timeout") g_cfg.timeout_s = strtod(need("--timeout").c_str(), nullptr);
    else if (a == "--context") g_cfg.context = strtoull(need("--context").c_str(), nullptr, 0);
    else if (a == "--max-dups") g_cfg.max_dups = strtoull(need("--max-dups").c_str(), nullptr, 0);
    else if (a == "--output-dir") g_cfg.out_dir = need("--output-dir");
    else if (a == "-v" || a == "--verbose") g_cfg.verbose = true;
    else {
      fprintf(stderr, "lockstep: unknown option %s (try --help)\n", a.c_str());
      exit(kExitError);
    }
  }
  bool logs = !g_cfg.a_log.empty() || !g_cfg.b_log.empty();
  if (logs && (g_cfg.a_log.empty() || g_cfg.b_log.empty())) {
    fprintf(stderr, "lockstep: --log-a and --log-b go together\n");
    exit(kExitError);
  }
  if (!logs && g_cfg.common_args.empty()) {
    Usage();
    exit(kExitError);
  }
  if (!g_cfg.ignore.empty() && ListHas(g_cfg.ignore, "pc"))
    fprintf(stderr, "lockstep: warning: ignoring pc\n");
}

}  // namespace

int main(int argc, char** argv) {
  ParseArgs(argc, argv);
  setvbuf(stdout, nullptr, _IOLBF, 0);

  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  g_a.label = g_cfg.a_label;
  g_b.label = g_cfg.b_label;
  if (!g_cfg.a_log.empty()) {
    g_a.label = "A";
    g_b.label = "B";
    OpenLog(&g_a, g_cfg.a_log);
    OpenLog(&g_b, g_cfg.b_log);
  } else {
    char tmpl[] = "/tmp/lockstep.XXXXXX";
    if (!mkdtemp(tmpl)) Fail("mkdtemp failed%s");
    g_tmpdir = tmpl;
    std::string od = g_cfg.out_dir.empty() ? g_tmpdir : g_cfg.out_dir;
    if (!g_cfg.out_dir.empty()) mkdir(od.c_str(), 0755);
    g_a.out_file = od + "/" + g_a.label + ".out";
    g_b.out_file = od + "/" + g_b.label + ".out";
    Spawn(&g_a, g_cfg.a_path, g_cfg.a_only_args, g_tmpdir + "/a.fifo");
    Spawn(&g_b, g_cfg.b_path, g_cfg.b_only_args, g_tmpdir + "/b.fifo");
  }

  const size_t kQueueLimit = 4096;  // states parsed ahead; beyond it the emulator is throttled
  History hist;
  uint64_t index = 0;
  bool layout_checked = false;
  auto next_progress = Clock::now() + std::chrono::seconds(10);

  for (;;) {
    // Compare everything that is available on both sides.
    bool stalled = false;  // a mismatch waits for the next dump of a side
    while (!g_a.q.empty() && !g_b.q.empty()) {
      State& a = g_a.q.front();
      State& b = g_b.q.front();
      if (!layout_checked) {
        ReportLayout(a, b);
        layout_checked = true;
      }
      if (SameCompared(a, b)) {
        hist.pcs.emplace_back(index, Get(a, "pc"));
        if (hist.pcs.size() > g_cfg.context) hist.pcs.pop_front();
        g_a.prev = std::move(a);
        g_b.prev = std::move(b);
        g_a.q.pop_front();
        g_b.q.pop_front();
        g_a.run_dups = g_b.run_dups = 0;
        index++;
        if (g_cfg.max && index >= g_cfg.max) ReportSame(index, " (--max reached)");
        continue;
      }
      // A dump identical to the previous one on the same side, or differing only in mip, is a
      // re-log (QEMU re-executes an instruction after an I/O recompile, or after its icount
      // budget ran out at it: ReLogOf): skip it.
      if (g_a.prev && g_a.run_dups < g_cfg.max_dups && ReLogOf(a, *g_a.prev)) {
        g_a.q.pop_front();
        g_a.dups++;
        g_a.run_dups++;
        continue;
      }
      if (g_b.prev && g_b.run_dups < g_cfg.max_dups && ReLogOf(b, *g_b.prev)) {
        g_b.q.pop_front();
        g_b.dups++;
        g_b.run_dups++;
        continue;
      }
      // A dump of an instruction that was not executed because an interrupt was taken first
      // (QEMU under icount): skip it if its successor is the handler entry the other side shows.
      bool need_more = false, skipped = false;
      for (auto [self, other] : {std::pair{&g_a, &g_b}, std::pair{&g_b, &g_a}}) {
        if (self->q.size() < 2) {
          need_more |= !self->eof;
          continue;
        }
        if (InterruptedBefore(self->q[0], self->q[1]) && SameCompared(self->q[1], other->q.front())) {
          self->q.pop_front();
          self->interrupted++;
          skipped = true;
          break;
        }
      }
      if (skipped) continue;
      if (need_more) {  // decide once the next dump has been read
        stalled = true;
        break;
      }
      ReportMismatch(index, a, b, hist);
    }

    // One side has ended: trailing duplicates on the other are fine, anything else is not.
    for (auto [ended, other] : {std::pair{&g_a, &g_b}, std::pair{&g_b, &g_a}}) {
      if (!(ended->eof && ended->q.empty())) continue;
      while (!other->q.empty() && other->prev && other->run_dups < g_cfg.max_dups &&
             ReLogOf(other->q.front(), *other->prev)) {
        other->q.pop_front();
        other->dups++;
        other->run_dups++;
      }
      if (!other->q.empty()) ReportEarlyEnd(index, ended, other, hist);
      if (other->eof) {
        if (index == 0) {
          PrintTail(g_a, 10);
          PrintTail(g_b, 10);
          Fail("no CPU state was logged by either emulator%s");
        }
        Reap(&g_a, false);
        Reap(&g_b, false);
        std::string why;
        for (Side* s : {&g_a, &g_b})
          if (s->spawned && !(s->reaped && WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0))
            why += std::string(why.empty() ? " (" : ", ") + s->label + " " + StatusText(*s);
        if (!why.empty()) why += ")";
        ReportSame(index, why.c_str());
      }
    }

    if (g_signal) {
      fprintf(stderr, "lockstep: interrupted by signal %d after %llu instructions\n",
              int(g_signal), (unsigned long long)index);
      Exit(kExitError);
    }

    // Wait for data.
    std::vector<pollfd> pfd;
    std::vector<Side*> who;
    for (Side* s : {&g_a, &g_b}) {
      if (s->eof || s->fd < 0 || s->q.size() >= kQueueLimit) continue;
      pfd.push_back({s->fd, POLLIN, 0});
      who.push_back(s);
    }
    if (pfd.empty()) Fail("internal error: nothing to wait for%s");
    int r = poll(pfd.data(), pfd.size(), 100);
    if (r < 0 && errno != EINTR) Fail("poll failed: %s", strerror(errno));
    for (size_t i = 0; i < pfd.size(); i++)
      if (pfd[i].revents) Pump(who[i]);
    for (Side* s : {&g_a, &g_b}) {
      bool was = s->reaped;
      Reap(s, false);
      if (s->reaped && !was) Pump(s);  // writer gone: drain to EOF
    }

    // Timeouts: a side we are waiting for has said nothing for too long.
    auto now = Clock::now();
    for (Side* s : {&g_a, &g_b}) {
      if (s->eof || s->q.size() >= 2 || (!s->q.empty() && !stalled)) continue;
      double idle = std::chrono::duration<double>(now - s->last_data).count();
      if (idle > g_cfg.timeout_s) {
        printf("lockstep: TIMEOUT: no CPU state from %s for %.0f s after %llu instructions\n",
               s->label.c_str(), idle, (unsigned long long)index);
        PrintContext(hist);
        PrintTail(g_a, 10);
        PrintTail(g_b, 10);
        Exit(kExitError);
      }
    }
    if (g_cfg.verbose && now >= next_progress) {
      fprintf(stderr, "lockstep: %llu instructions identical so far\n", (unsigned long long)index);
      next_progress = now + std::chrono::seconds(10);
    }
  }
}
