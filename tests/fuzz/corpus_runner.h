// The standalone build of a fuzz target (RWD_FUZZ_STANDALONE): runs every
// input named on the command line once, each file or each file of a
// directory (in name order), through LLVMFuzzerTestOneInput. It is what
// `meson test *_fuzz_corpus` runs on the checked-in corpora, so a finding
// once fixed stays fixed without clang.
#pragma once
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "util/file_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace rwd::fuzz {

// argv[first..argc): files and directories. Returns main()'s exit status.
inline int run_corpus(int argc, char** argv, int first = 1) {
  if (argc <= first) {
    std::fprintf(stderr, "usage: %s DIR|FILE...   (runs each input once)\n", argv[0]);
    return 2;
  }
  size_t runs = 0;
  for (int i = first; i < argc; ++i) {
    std::vector<std::string> files;
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      std::fprintf(stderr, "%s: cannot stat\n", argv[i]);
      return 1;
    }
    if (S_ISDIR(st.st_mode)) {
      DIR* d = opendir(argv[i]);
      if (!d) return 1;
      while (dirent* e = readdir(d))
        if (e->d_name[0] != '.') files.push_back(std::string(argv[i]) + "/" + e->d_name);
      closedir(d);
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(argv[i]);
    }
    for (const std::string& f : files) {
      std::vector<uint8_t> data;
      std::string err;
      if (!read_whole_file(f, data, err)) {
        std::fprintf(stderr, "%s: %s\n", f.c_str(), err.c_str());
        return 1;
      }
      std::fprintf(stderr, "running %s (%zu bytes)\n", f.c_str(), data.size());
      LLVMFuzzerTestOneInput(data.data(), data.size());
      ++runs;
    }
  }
  std::fprintf(stderr, "%zu inputs ran without error\n", runs);
  return runs > 0 ? 0 : 1;
}

}  // namespace rwd::fuzz
