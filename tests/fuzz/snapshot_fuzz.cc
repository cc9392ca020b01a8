// Fuzz target for the machine snapshot reader (migration/snapshot.{h,cc}):
// each input is loaded into a small virt machine (no firmware, 16 MiB) as
// `-incoming` would load it. DecodeError (damage) and std::runtime_error
// (another machine's snapshot) are the acceptable refusals; anything else —
// a crash, a sanitizer report, another exception, a hang — is a bug. Each
// input is also run with its checksum repaired, so mutations reach the
// section, device and RAM parsers behind it.
//
// Builds: libFuzzer (tests/fuzz/build-and-run.sh) or RWD_FUZZ_STANDALONE, a
// main() that runs every corpus file once (meson test snapshot_fuzz_corpus)
// and `--make-seeds DIR` (valid snapshots of the fuzz machine).
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "chardev/char_backend.h"
#include "hw/riscv/virt.h"
#include "migration/snapshot.h"
#include "replay/replay_config.h"

using namespace rwd;

namespace {

struct FuzzMachine {
  Options opts;
  NullChardev serial;
  SystemHostClock clock;
  SystemHostEntropy entropy;
  std::unique_ptr<VirtMachine> machine;
  std::string config;
  FuzzMachine() {
    opts.bios = "none";
    opts.ram_size = 16ull << 20;
    opts.seed = 1;
    opts.icount.enabled = true;
    opts.rtc.clock = RtcOptions::Clock::kVm;
    machine = std::make_unique<VirtMachine>(opts, BoardHost{&serial, &clock, &entropy});
    config = machine_fingerprint(opts);
  }
};

FuzzMachine& fuzz_machine() {
  static FuzzMachine m;
  return m;
}

void run(const std::vector<uint8_t>& snapshot) {
  FuzzMachine& m = fuzz_machine();
  try {
    load_machine(*m.machine, snapshot, m.config);
  } catch (const DecodeError&) {
  } catch (const std::runtime_error&) {  // a snapshot of another configuration
  }
}

// The header says how long the body is; the CRC-32 covers everything before it.
bool repair_crc(std::vector<uint8_t>& s) {
  if (s.size() < 24) return false;
  uLong c = crc32(0, s.data(), static_cast<uInt>(s.size() - 4));
  uint32_t v = static_cast<uint32_t>(c);
  std::memcpy(s.data() + s.size() - 4, &v, 4);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> input(data, data + size);
  run(input);
  if (repair_crc(input) && std::memcmp(input.data(), data, size) != 0) run(input);
  return 0;
}

#ifdef RWD_FUZZ_STANDALONE
#include <fstream>

#include "corpus_runner.h"

namespace {

void write_file(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
}

// Valid snapshots of the fuzz machine: at power-on, and with guest-visible
// state in RAM and registers.
void make_seeds(const std::string& dir) {
  FuzzMachine& m = fuzz_machine();
  write_file(dir + "/seed-poweron.snap", save_machine(*m.machine, m.config));
  uint32_t words[64];
  for (uint32_t i = 0; i < 64; ++i) words[i] = i * 0x9e3779b9u;
  m.machine->address_space().write_bytes(0x80001000, words, sizeof words);
  m.machine->cpu().s.x[5] = 0x1234;
  write_file(dir + "/seed-ram.snap", save_machine(*m.machine, m.config));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--make-seeds") {
    make_seeds(argv[2]);
    return 0;
  }
  return rwd::fuzz::run_corpus(argc, argv);
}
#endif
