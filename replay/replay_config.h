// The parts of record/replay that deal with the command line: the machine
// fingerprint a recording carries and a replay must match, the recorded
// command line, and the -rr-perturb debug option.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "system/options.h"

namespace rwd {

// -rr-perturb: a debug aid that proves divergence detection works by
// changing the replayed state on purpose at one instruction count.
struct Perturbation {
  uint64_t icount = 0;
  int xreg = -1;           // flip bit `bit` of this integer register
  unsigned bit = 0;
  std::optional<uint64_t> ram_addr;  // or flip the low bit of this RAM byte
};

bool parse_perturbation(const std::string& spec, Perturbation& p, std::string& err);

// Everything that changes what the guest computes, as "key=value" lines.
// Not: serial/monitor backends, logging, -max-insns, -singlestep.
std::string machine_fingerprint(const Options& opts);
// Throws std::runtime_error naming the first option that differs between
// this machine and the one `source` ("recording", "snapshot") was made on:
// "<source> refused: this machine differs from the <source>'s: -m is ...".
void check_machine(const std::string& recorded, const std::string& mine, const std::string& source = "recording");
// A fingerprint without its drive lines (images' digests): what can be
// compared before the images are opened.
std::string without_drives(const std::string& config);

std::string quoted_command_line(int argc, char** argv);

// Throws std::runtime_error when `output` (a file about to be written: the
// rrfile, a snapshot) is one of the machine's input files, e.g. the kernel.
void check_not_an_input(const std::string& output, const Options& o, const std::string& what);

}  // namespace rwd
