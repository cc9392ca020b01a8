#include "util/untouched_pages.h"

#include <fcntl.h>
#include <unistd.h>

namespace rwd {

std::vector<bool> untouched_pages(const void* p, size_t len) {
  constexpr uint64_t kPage = 4096;
  constexpr uint64_t kPresent = 1ull << 63, kSwapped = 1ull << 62;
  size_t pages = (len + kPage - 1) / kPage;
  std::vector<bool> out(pages, false);
  if (sysconf(_SC_PAGESIZE) != static_cast<long>(kPage)) return out;
  int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  uint64_t first = reinterpret_cast<uintptr_t>(p) / kPage;
  std::vector<uint64_t> entries(4096);
  for (size_t done = 0; done < pages;) {
    size_t n = std::min(entries.size(), pages - done);
    ssize_t got = pread(fd, entries.data(), n * 8, static_cast<off_t>((first + done) * 8));
    if (got != static_cast<ssize_t>(n * 8)) {
      std::fill(out.begin(), out.end(), false);  // could not read it all: claim nothing
      break;
    }
    for (size_t i = 0; i < n; ++i) out[done + i] = !(entries[i] & (kPresent | kSwapped));
    done += n;
  }
  close(fd);
  return out;
}

}  // namespace rwd
