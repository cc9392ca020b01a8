#include "migration/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/core/vclock.h"
#include "replay/replay_config.h"
#include "target/riscv/cpu.h"
#include "util/crc32.h"
#include "util/untouched_pages.h"

namespace rwd {

namespace {

constexpr uint8_t kMagic[8] = {0x89, 'R', 'W', 'S', '\r', '\n', 0x1a, '\n'};
constexpr size_t kHeaderSize = 8 + 4 + 8;  // magic, version, body length
constexpr uint64_t kPage = 4096;
constexpr size_t kMaxSections = 4096;

bool all_zero(const uint8_t* p, size_t n) {
  static const uint8_t zeros[kPage] = {};
  return std::memcmp(p, zeros, n) == 0;
}

// RAM: per block its name, base and size, then its non-zero pages (u32
// page number + the page) as one zlib stream. Level 1: snapshots are taken
// often (reverse debugging), and zero pages are already gone.
void save_ram(AddressSpace& as, ByteWriter& w) {
  w.varint(as.ram_blocks().size());
  for (const auto& rb : as.ram_blocks()) {
    w.str(rb->name);
    w.u64(rb->base);
    w.u64(rb->size);
    std::vector<bool> untouched = untouched_pages(rb->host.get(), rb->size);
    ByteWriter pages;
    for (uint64_t off = 0; off < rb->size; off += kPage) {
      uint64_t len = std::min(kPage, rb->size - off);
      if (untouched[off / kPage] || all_zero(rb->host.get() + off, len)) continue;
      pages.u32(static_cast<uint32_t>(off / kPage));
      pages.bytes(rb->host.get() + off, len);
    }
    uLongf bound = compressBound(static_cast<uLong>(pages.size()));
    std::vector<uint8_t> z(bound);
    if (compress2(z.data(), &bound, pages.data().data(), static_cast<uLong>(pages.size()), 1) != Z_OK)
      throw DecodeError("snapshot: compressing RAM failed");
    w.u64(pages.size());
    w.blob(z.data(), bound);
  }
}

struct RamImage {
  RamBlock* block;
  std::vector<uint8_t> pages;  // the uncompressed (page number, page) stream
};

// Checks the RAM section against this machine's RAM and decompresses it,
// without touching RAM yet.
std::vector<RamImage> parse_ram(AddressSpace& as, ByteReader& r) {
  uint64_t n = r.varint();
  if (n != as.ram_blocks().size()) throw DecodeError("snapshot: RAM has " + std::to_string(n) + " blocks, this machine " +
                                                     std::to_string(as.ram_blocks().size()));
  std::vector<RamImage> out;
  for (const auto& rb : as.ram_blocks()) {
    std::string name = r.str(256);
    uint64_t base = r.u64(), size = r.u64();
    if (name != rb->name || base != rb->base || size != rb->size)
      throw DecodeError("snapshot: RAM block '" + name + "' does not match this machine's '" + rb->name + "'");
    uint64_t raw_len = r.u64();
    uint64_t page_bytes = 4 + std::min(kPage, size);
    if (raw_len > (size / kPage + 1) * page_bytes) throw DecodeError("snapshot: RAM block '" + name + "' is too large");
    std::vector<uint8_t> z = r.blob(r.left());
    RamImage img{rb.get(), std::vector<uint8_t>(raw_len)};
    uLongf len = static_cast<uLongf>(raw_len);
    if (uncompress(img.pages.data(), &len, z.data(), static_cast<uLong>(z.size())) != Z_OK || len != raw_len)
      throw DecodeError("snapshot: RAM block '" + name + "' does not decompress");
    // Every page must lie inside the block, in ascending order.
    ByteReader pr(img.pages);
    int64_t last = -1;
    while (!pr.at_end()) {
      uint32_t page = pr.u32();
      uint64_t off = uint64_t{page} * kPage;
      if (static_cast<int64_t>(page) <= last || off >= size) throw DecodeError("snapshot: RAM page out of order or range");
      last = page;
      std::vector<uint8_t> skip(std::min(kPage, size - off));
      pr.bytes(skip.data(), skip.size());
    }
    out.push_back(std::move(img));
  }
  return out;
}

void apply_ram(AddressSpace& as, const std::vector<RamImage>& images) {
  for (const RamImage& img : images) {
    RamBlock& rb = *img.block;
    // Zero the block by giving its pages back (an anonymous mapping reads as
    // zeros again), not by writing every byte of it.
    if (madvise(rb.host.get(), rb.size, MADV_DONTNEED) != 0) std::memset(rb.host.get(), 0, rb.size);
    ByteReader pr(img.pages);
    while (!pr.at_end()) {
      uint64_t off = uint64_t{pr.u32()} * kPage;
      pr.bytes(rb.host.get() + off, std::min(kPage, rb.size - off));
    }
    // Translated code and dirty tracking see the whole block as written.
    as.notify_write(rb, rb.base, rb.size);
  }
}

struct Section {
  std::string name;
  std::vector<uint8_t> data;
};

// What the body holds, checked but not applied.
struct Parsed {
  std::vector<Section> sections;
};

Parsed parse(const std::vector<uint8_t>& s, const std::string& config) {
  if (s.size() < kHeaderSize + 4 || std::memcmp(s.data(), kMagic, 8) != 0)
    throw DecodeError("not a rewind snapshot (bad magic)");
  ByteReader h(s.data() + 8, kHeaderSize - 8);
  uint32_t version = h.u32();
  uint64_t body_len = h.u64();
  if (version != kSnapshotVersion)
    throw DecodeError("snapshot format version " + std::to_string(version) + ", this rewind reads version " +
                      std::to_string(kSnapshotVersion));
  if (body_len != s.size() - kHeaderSize - 4) throw DecodeError("snapshot is truncated or has trailing bytes");
  uint32_t want;
  std::memcpy(&want, s.data() + s.size() - 4, 4);
  if (crc32_of(s.data(), s.size() - 4) != want) throw DecodeError("snapshot checksum mismatch (corrupt file)");
  ByteReader r(s.data() + kHeaderSize, body_len);
  std::string recorded = r.str(1u << 20);
  check_machine(recorded, config, "snapshot");
  r.varint();  // the instruction count, for tools
  uint64_t n = r.varint();
  if (n > kMaxSections) throw DecodeError("snapshot lists too many sections");
  Parsed p;
  for (uint64_t i = 0; i < n; ++i) {
    std::string name = r.str(256);
    p.sections.push_back({name, r.blob(r.left())});
  }
  if (!r.at_end()) throw DecodeError("snapshot has trailing bytes");
  return p;
}

// The sections a machine has, in order: the hart, the clock, every state
// part, RAM. A snapshot must have exactly these.
std::vector<std::string> section_names(Machine& m) {
  std::vector<std::string> names = {"cpu", "clock"};
  for (const StatePart& part : m.state_parts()) names.push_back(part.name);
  names.push_back("ram");
  return names;
}

void apply(Machine& m, const Parsed& p) {
  std::vector<std::string> want = section_names(m);
  for (size_t i = 0; i < want.size() || i < p.sections.size(); ++i) {
    if (i >= p.sections.size()) throw DecodeError("snapshot has no state for '" + want[i] + "'");
    if (i >= want.size() || p.sections[i].name != want[i])
      throw DecodeError("snapshot section '" + p.sections[i].name + "' is not part of this machine");
  }
  // RAM is decompressed and checked before anything changes.
  ByteReader ram(p.sections.back().data);
  std::vector<RamImage> images = parse_ram(m.address_space(), ram);
  std::vector<StatePart> parts = m.state_parts();
  auto load = [&](size_t i, const std::function<void(ByteReader&)>& fn) {
    ByteReader r(p.sections[i].data);
    try {
      fn(r);
      if (!r.at_end()) throw DecodeError("trailing bytes");
    } catch (const DecodeError& e) {
      throw DecodeError("snapshot: " + p.sections[i].name + ": " + e.what());
    }
  };
  load(0, [&](ByteReader& r) { m.cpu().load_state(r); });
  load(1, [&](ByteReader& r) { m.clock().load(r); });
  for (size_t i = 0; i < parts.size(); ++i) load(2 + i, parts[i].load);
  apply_ram(m.address_space(), images);
}

}  // namespace

std::vector<uint8_t> save_machine(Machine& m, const std::string& config) {
  ByteWriter body;
  body.str(config);
  body.varint(m.clock().instructions_now());
  std::vector<std::string> names = section_names(m);
  body.varint(names.size());
  auto section = [&](const std::string& name, const std::function<void(ByteWriter&)>& fn) {
    ByteWriter w;
    fn(w);
    body.str(name);
    body.blob(w.data().data(), w.size());
  };
  section("cpu", [&](ByteWriter& w) { m.cpu().save_state(w); });
  section("clock", [&](ByteWriter& w) { m.clock().save(w); });
  for (const StatePart& part : m.state_parts()) section(part.name, part.save);
  section("ram", [&](ByteWriter& w) { save_ram(m.address_space(), w); });

  ByteWriter out;
  out.bytes(kMagic, 8);
  out.u32(kSnapshotVersion);
  out.u64(body.size());
  out.bytes(body.data().data(), body.size());
  out.u32(crc32_of(out.data().data(), out.size()));
  return std::move(out.buffer());
}

void load_machine(Machine& m, const std::vector<uint8_t>& snapshot, const std::string& config) {
  Parsed p = parse(snapshot, config);
  // A device may still refuse its state half-way: put everything back.
  std::vector<uint8_t> before = save_machine(m, config);
  try {
    apply(m, p);
  } catch (...) {
    apply(m, parse(before, config));
    throw;
  }
}

void write_snapshot_file(const std::string& path, const std::vector<uint8_t>& snapshot) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw DecodeError("cannot create snapshot '" + path + "': " + std::strerror(errno));
  size_t done = 0;
  while (done < snapshot.size()) {
    ssize_t n = ::write(fd, snapshot.data() + done, snapshot.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw DecodeError("writing snapshot '" + path + "' failed: " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw DecodeError("writing snapshot '" + path + "' failed: " + std::strerror(err));
  }
}

std::vector<uint8_t> read_snapshot_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw DecodeError("cannot open snapshot '" + path + "': " + std::strerror(errno));
  struct stat st{};
  std::vector<uint8_t> data;
  try {
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw DecodeError("snapshot '" + path + "' is not a regular file");
    uint8_t head[kHeaderSize];
    if (st.st_size < static_cast<off_t>(kHeaderSize + 4) || ::pread(fd, head, kHeaderSize, 0) != kHeaderSize ||
        std::memcmp(head, kMagic, 8) != 0)
      throw DecodeError("'" + path + "' is not a rewind snapshot (bad magic)");
    data.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::pread(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw DecodeError("reading snapshot '" + path + "' failed");
      done += static_cast<size_t>(n);
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return data;
}

}  // namespace rwd
