#include "util/host_entropy.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace rwd {

// getrandom() may return fewer bytes than asked (large requests, signals);
// loop until the buffer is full. It cannot fail on a supported kernel once
// the pool is initialized, so a failure is fatal rather than a short answer
// the guest would silently get.
void SystemHostEntropy::fill(uint8_t* buf, size_t len) {
  while (len > 0) {
    ssize_t n = getrandom(buf, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("rewind: getrandom");
      std::abort();
    }
    buf += n;
    len -= static_cast<size_t>(n);
  }
}

}  // namespace rwd
