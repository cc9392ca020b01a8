// Whole-machine state in one versioned, checksummed stream (docs/snapshot.md):
// the hart, the virtual clock, every state part of the board (devices, the
// board's random generator) and RAM, zero pages left out and the rest
// compressed. A snapshot loads only into a machine built with the same
// configuration: the one it was taken from, or a fresh one from the same
// command line. This is what -incoming/migrate, and later savevm/loadvm,
// rrsnapshot and reverse debugging stand on.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "util/byte_codec.h"

namespace rwd {

class Machine;

inline constexpr uint32_t kSnapshotVersion = 1;

// The machine's state now, between instructions. `config` is the machine's
// configuration fingerprint (replay/replay_config.h); a load compares it.
std::vector<uint8_t> save_machine(Machine& machine, const std::string& config);

// Replaces the machine's whole state. Throws DecodeError naming what is
// wrong with a damaged stream, and std::runtime_error ("snapshot refused:
// ... -m is X here, Y in the snapshot") for another configuration. The
// machine is unchanged when the stream is refused before its state
// sections. The caller drops translated code afterwards.
void load_machine(Machine& machine, const std::vector<uint8_t>& snapshot, const std::string& config);

// Files: written through a temporary file and renamed, so a crash never
// leaves a half-written snapshot under the name; read with the size checked
// before anything is read. Errors are DecodeError with a one-line message.
void write_snapshot_file(const std::string& path, const std::vector<uint8_t>& snapshot);
std::vector<uint8_t> read_snapshot_file(const std::string& path);

}  // namespace rwd
