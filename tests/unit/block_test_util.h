// Shared helpers of the block layer tests: a scratch directory, running
// qemu-img/qemu-io, whole-file reads and writes, and opening drives.
#pragma once
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "block/block_node.h"

namespace rwd::blocktest {

// A directory removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "rwd_block_XXXXXX";
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    if (!path_.empty()) std::system(("rm -rf '" + path_ + "'").c_str());
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline bool have_tool(const char* tool) {
  static int qemu_img = -1, qemu_io = -1;
  int& cached = std::string(tool) == "qemu-io" ? qemu_io : qemu_img;
  if (cached < 0) cached = std::system((std::string(tool) + " --version >/dev/null 2>&1").c_str()) == 0;
  return cached == 1;
}

#define REQUIRE_QEMU_IMG()                                                                        \
  do {                                                                                            \
    if (!::rwd::blocktest::have_tool("qemu-img"))                                                 \
      GTEST_SKIP() << "qemu-img is not installed (apt-get install qemu-utils): skipping";         \
  } while (0)

// Runs a shell command; its exit status (output goes to `out` if given).
inline int sh(const std::string& cmd, std::string* out = nullptr) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int status = pclose(p);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

inline DriveConfig drive(const std::string& path, const std::string& format = "", bool read_only = false) {
  DriveConfig c;
  c.id = "d";
  c.file = path;
  c.format = format;
  c.read_only = read_only;
  c.discard = "unmap";
  return c;
}

// The whole disk as the node reads it.
inline std::vector<uint8_t> read_all(BlockNode& n) {
  std::vector<uint8_t> out(static_cast<size_t>(n.size()));
  EXPECT_EQ(n.read(0, out.data(), out.size()), 0);
  return out;
}

// qemu-img check: "" when it reports no errors and no leaks, else its output.
inline std::string qemu_check(const std::string& img) {
  std::string out;
  int status = sh("qemu-img check '" + img + "'", &out);
  return status == 0 ? "" : "exit " + std::to_string(status) + ": " + out;
}

}  // namespace rwd::blocktest
