// Whole-machine save/load on a real Linux boot: a straight run of the test
// guest (boot, a shell workload, power-off) is stopped at N instruction
// counts spread over it; at each a snapshot is written to a file. Each
// snapshot is then loaded into a freshly built machine with the same
// command line, which runs to the end. Every one must end exactly as the
// straight run: same instruction count, exit status, CPU+RAM state hash,
// every device's saved state, and the console output from its point on.
// TAP output.
//
//   snapshot_roundtrip KERNEL INITRD [--points N] [--jit on|off]
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "replay/state_hash.h"
#include "system/options.h"
#include "system/vm.h"
#include "util/hash64.h"
#include "util/hex.h"

using namespace rwd;

namespace {

int n = 0, failed = 0;
void ok(bool cond, const std::string& what, const std::string& why = "") {
  ++n;
  if (!cond) ++failed;
  std::printf("%sok %d - %s\n", cond ? "" : "not ", n, what.c_str());
  if (!cond && !why.empty()) std::printf("# %s\n", why.c_str());
  std::fflush(stdout);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Config {
  std::string kernel, initrd, jit = "on", dir;
  int points = 20;
};

// The guest boots, runs a shell workload that prints as it goes, and powers
// off. Deterministic without record/replay: the RTC runs on virtual time.
std::vector<std::string> command_line(const Config& c, const std::string& serial) {
  return {"rewind", "-M", "virt", "-m", "256M", "-kernel", c.kernel, "-initrd", c.initrd,
          "-append",
          "console=ttyS0 rewind_run=\"i=0; while [ $i -lt 300 ]; do echo step $i $((i*i)); i=$((i+1)); done; "
          "cat /proc/uptime\"",
          "-icount", "shift=5,sleep=off", "-display", "none", "-monitor", "none", "-serial", "file:" + serial,
          "-seed", "42", "-rtc", "base=2024-01-01T00:00:00,clock=vm", "-accel", "tcg,jit=" + c.jit};
}

// One machine, built from the command line exactly as main() does.
struct Session {
  Options opts;
  std::unique_ptr<Vm> vm;
  explicit Session(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    std::string err;
    if (!parse_options(static_cast<int>(argv.size()), argv.data(), opts, err)) throw std::runtime_error(err);
    vm = std::make_unique<Vm>(opts, static_cast<int>(argv.size()), argv.data());
  }
  uint64_t icount() { return vm->machine().cpu().s.icount; }
  std::string state_hash() {
    StateHasher h(vm->machine().address_space(), vm->machine().cpu());
    h.enable();
    return hex(hash_combine(h.cpu_hash(vm->machine().cpu().s.pc), h.ram_hash()));
  }
  std::vector<std::pair<std::string, std::vector<uint8_t>>> devices() {
    std::vector<std::pair<std::string, std::vector<uint8_t>>> out;
    for (const StatePart& p : vm->machine().state_parts()) {
      ByteWriter w;
      p.save(w);
      out.emplace_back(p.name, w.data());
    }
    ByteWriter w;
    vm->machine().clock().save(w);
    out.emplace_back("clock", w.data());
    return out;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--points" && i + 1 < argc) c.points = std::atoi(argv[++i]);
    else if (a == "--jit" && i + 1 < argc) c.jit = argv[++i];
    else if (c.kernel.empty()) c.kernel = a;
    else c.initrd = a;
  }
  if (c.initrd.empty()) {
    std::fprintf(stderr, "usage: snapshot_roundtrip KERNEL INITRD [--points N] [--jit on|off]\n");
    return 2;
  }
  char dir[] = "/tmp/rewind-snapshot-XXXXXX";
  c.dir = mkdtemp(dir);
  std::string tag = " (jit=" + c.jit + ")";
  try {
    // How long the whole run is, to spread the points over it.
    uint64_t total;
    {
      Session probe(command_line(c, c.dir + "/probe.out"));
      probe.vm->loop().run_until(~0ull);
      total = probe.icount();
    }
    ok(total > 10'000'000, "the guest runs to power-off" + tag + ": " + std::to_string(total) + " instructions");

    // The straight run, with a snapshot at each point.
    std::string straight_out = c.dir + "/straight.out";
    Session straight(command_line(c, straight_out));
    std::vector<uint64_t> points;
    std::vector<size_t> output_at;
    for (int k = 1; k <= c.points; ++k) {
      // Spread over the run, off any round number.
      uint64_t at = total * static_cast<uint64_t>(k) / static_cast<uint64_t>(c.points + 1) + 7919u * k;
      straight.vm->loop().run_until(at);
      straight.vm->flush_output();
      points.push_back(straight.icount());
      output_at.push_back(slurp(straight_out).size());
      straight.vm->save_state(c.dir + "/snap" + std::to_string(k));
    }
    straight.vm->loop().run_until(~0ull);
    int straight_status = straight.vm->loop().finish();
    std::string want_hash = straight.state_hash();
    auto want_devices = straight.devices();
    std::string want_out = slurp(straight_out);
    ok(straight.icount() == total, "the straight run with stops ends where the unbroken run did" + tag);

    for (int k = 1; k <= c.points; ++k) {
      std::string out = c.dir + "/loaded" + std::to_string(k) + ".out";
      Session loaded(command_line(c, out));
      loaded.vm->load_state(c.dir + "/snap" + std::to_string(k));
      bool at_point = loaded.icount() == points[k - 1];
      loaded.vm->loop().run_until(~0ull);
      int status = loaded.vm->loop().finish();
      std::string why;
      if (!at_point) why += "loaded at the wrong count; ";
      if (loaded.icount() != total) why += "ended at " + std::to_string(loaded.icount()) + "; ";
      if (status != straight_status) why += "status " + std::to_string(status) + "; ";
      if (loaded.state_hash() != want_hash) why += "state hash differs; ";
      auto devices = loaded.devices();
      for (size_t i = 0; i < devices.size() && i < want_devices.size(); ++i)
        if (devices[i] != want_devices[i]) why += devices[i].first + " differs; ";
      if (slurp(out) != want_out.substr(output_at[k - 1])) why += "console output differs; ";
      ok(why.empty(), "snapshot " + std::to_string(k) + " at instruction " + std::to_string(points[k - 1]) +
                          " loaded into a new machine ends identically" + tag, why);
    }
  } catch (const std::exception& e) {
    ok(false, "snapshot round trip" + tag, e.what());
  }
  std::string cleanup = "rm -rf '" + c.dir + "'";
  if (std::system(cleanup.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", c.dir.c_str());
  std::printf("1..%d\n", n);
  return failed ? 1 : 0;
}
