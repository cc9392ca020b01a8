// Fuzz target for the qcow2 driver (block/qcow2*.cc): the input is a whole
// image file, opened from a memfd (read-write, else read-only), with an
// in-memory raw backing file attached when the header names one. Then what
// a guest does: reads at the start, middle and end, writes, discard,
// write_zeroes, flush, close (which clears the dirty bit), and a second
// open of the result. Internal snapshots (savevm's disk work): each
// snapshot's VM state is read; writable, a snapshot is created, the first
// one applied and the last one deleted. BlockError at open and -EIO (or ENOSPC) for a request
// are the acceptable ways to refuse input; anything else (a crash, a
// sanitizer report, another exception, a hang, a huge allocation) is a bug.
//
// Two builds of this file, as rrfile_fuzz.cc:
//  - libFuzzer (clang -fsanitize=fuzzer,...): see tests/fuzz/README.md;
//  - RWD_FUZZ_STANDALONE (any compiler): a main() that runs every file of
//    the directories/files given once (the corpus regression test).
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "block/file.h"
#include "block/qcow2.h"
#include "block/raw.h"

using namespace rwd;

namespace {

volatile size_t g_sink;

int memfd_with(const uint8_t* data, size_t size) {
  int fd = memfd_create("qcow2_fuzz", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  size_t done = 0;
  while (done < size) {
    ssize_t k = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (k <= 0) std::abort();
    done += static_cast<size_t>(k);
  }
  return fd;
}

void check_io(int r) {
  if (r != 0 && r != -EIO && r != -ENOSPC && r != -EROFS) {
    std::fprintf(stderr, "unexpected I/O result %d\n", r);
    std::abort();
  }
}

std::unique_ptr<Qcow2Node> open_image(int fd, bool read_only) {
  FileCachePolicy unsafe;
  unsafe.ignore_flush = true;
  auto file = FileNode::adopt(dup(fd), "fuzz.qcow2", false, unsafe);
  try {
    auto node = Qcow2Node::open(std::move(file), "fuzz.qcow2", read_only);
    if (!node->header().backing_file.empty()) {
      // A backing file of its own, never one named by the input.
      std::vector<uint8_t> pattern(300000);
      for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint8_t>(i * 13);
      int bfd = memfd_with(pattern.data(), pattern.size());
      node->set_backing(std::make_unique<RawNode>(FileNode::adopt(bfd, "backing", true), false));
    }
    return node;
  } catch (const BlockError&) {
    return nullptr;
  }
}

void check_snapshot_op(int r) {
  if (r != 0 && r != -EIO && r != -ENOSPC && r != -EROFS && r != -ENOTSUP && r != -EINVAL && r != -EFBIG) {
    std::fprintf(stderr, "unexpected snapshot result %d\n", r);
    std::abort();
  }
}

void exercise_snapshots(Qcow2Node& n, bool write) {
  std::vector<uint8_t> state;
  for (size_t i = 0; i < std::min<size_t>(n.snapshots().size(), 4); ++i) {
    check_snapshot_op(n.read_vm_state(i, &state));
    g_sink = g_sink + state.size();
  }
  if (!write) return;
  Qcow2Snapshot sn;
  sn.id = qcow2_next_snapshot_id(n.snapshots());
  sn.name = "fuzz";
  check_snapshot_op(n.create_snapshot(sn, std::vector<uint8_t>(5000, 0x3c)));
  if (!n.snapshots().empty()) check_snapshot_op(n.apply_snapshot(0));
  if (!n.snapshots().empty()) check_snapshot_op(n.delete_snapshot(n.snapshots().size() - 1));
}

void exercise(Qcow2Node& n, bool write) {
  const uint64_t size = n.size();
  std::vector<uint8_t> buf(70000);
  const uint64_t spots[] = {0, size / 2, size > 70000 ? size - 70000 : 0, size / 7 * 3};
  for (uint64_t off : spots) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - std::min(size, off)));
    check_io(n.read(off, buf.data(), len));
    g_sink = g_sink + buf[0];
  }
  bool zero;
  for (uint64_t off = 0, steps = 0; off < size && steps < 64; ++steps) {
    uint64_t run = n.block_status(off, size - off, &zero);
    if (run == 0) break;
    off += run;
  }
  exercise_snapshots(n, write);
  if (!write) return;
  std::fill(buf.begin(), buf.end(), 0x5c);
  for (uint64_t off : spots) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(1000 + off % 9000, size - std::min(size, off)));
    check_io(n.write(off, buf.data(), len));
  }
  check_io(n.discard(size / 4, std::min<uint64_t>(size - size / 4, 200000)));
  check_io(n.write_zeroes(size / 8, std::min<uint64_t>(size - size / 8, 150000), true));
  check_io(n.write_zeroes(size / 3, std::min<uint64_t>(size - size / 3, 5000), false));
  check_io(n.flush());
  check_io(n.read(0, buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), size))));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = memfd_with(data, size);
  bool wrote = false;
  if (auto rw = open_image(fd, false)) {
    exercise(*rw, true);
    wrote = true;
  } else if (auto ro = open_image(fd, true)) {
    exercise(*ro, false);
  }
  if (wrote) {
    // What rewind wrote must open again (or be refused cleanly).
    if (auto again = open_image(fd, true)) exercise(*again, false);
  }
  close(fd);
  return 0;
}

#ifdef RWD_FUZZ_STANDALONE
#include "corpus_runner.h"

int main(int argc, char** argv) { return rwd::fuzz::run_corpus(argc, argv); }
#endif
