// Whole files into memory, with the size known up front (one allocation, one
// read loop): kernels and initrds are read twice at start-up (their digest
// for record/replay, then loading), and reading them byte by byte through a
// stream iterator cost a quarter of a second.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rwd {

// Reads a regular file. On failure returns false with `err` set to why
// ("is a directory", "No such file or directory", ...).
bool read_whole_file(const std::string& path, std::vector<uint8_t>& out, std::string& err);

}  // namespace rwd
