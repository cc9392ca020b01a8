#include "replay/rrfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "replay/event_codec.h"
#include "util/crc32.h"
#include "util/hex.h"

namespace rwd {

namespace {

// 0x89 and the CR LF / ^Z / LF tail catch 7-bit channels and text-mode
// newline conversion, as PNG's signature does.
constexpr uint8_t kMagic[8] = {0x89, 'R', 'W', 'D', '\r', '\n', 0x1a, '\n'};
constexpr char kBlockMagic[4] = {'R', 'B', 'L', 'K'};
constexpr char kIndexMagic[4] = {'R', 'I', 'D', 'X'};
constexpr char kTrailerMagic[8] = {'R', 'W', 'D', 'T', 'R', 'A', 'I', 'L'};
constexpr size_t kBlockHeaderSize = 40;
constexpr size_t kTrailerSize = 16;
constexpr size_t kIndexEntrySize = 40;
// The reader's buffer for checksums and the index: memory stays bounded
// whatever the file's size.
constexpr size_t kChunk = 64 * 1024;

// The fields a block header and its index entry share, in file order.
void put_block_fields(ByteWriter& w, const RrBlockInfo& b) {
  w.u32(b.seq);
  w.u32(b.compressed_len);
  w.u32(b.raw_len);
  w.u64(b.first_icount);
  w.u64(b.last_icount);
  w.u32(b.events);
}

void get_block_fields(ByteReader& r, RrBlockInfo& b) {
  b.seq = r.u32();
  b.compressed_len = r.u32();
  b.raw_len = r.u32();
  b.first_icount = r.u64();
  b.last_icount = r.u64();
  b.events = r.u32();
}

// A header value in an error message: escaped, and short.
std::string escaped(const std::string& v) { return escape_text(v, 40); }

}  // namespace

RrWriter::RrWriter(const std::string& path, const RrHeader& header) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw DecodeError("cannot create rrfile '" + path + "': " + std::strerror(errno));
  ByteWriter body;
  body.varint(header.fields.size());
  for (auto& [k, v] : header.fields) {
    body.str(k);
    body.str(v);
  }
  ByteWriter w;
  w.bytes(kMagic, 8);
  w.u32(header.version);
  w.u32(static_cast<uint32_t>(body.size()));
  w.bytes(body.buffer().data(), body.size());
  w.u32(crc32_of(w.buffer().data(), w.size()));
  write_all(w.buffer().data(), w.size());
  thread_ = std::thread([this] { writer_thread(); });  // last: nothing after it may throw
}

RrWriter::~RrWriter() {
  // Blocks already handed over still go out (an error exit keeps what was
  // recorded); the events pending here are dropped, as on a kill.
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_.notify_one();
    thread_.join();
  }
  if (fd_ >= 0) ::close(fd_);
}

uint64_t RrWriter::bytes_written() const {
  std::lock_guard lock(mutex_);
  return offset_;
}

void RrWriter::throw_write_error() const {
  std::lock_guard lock(mutex_);
  if (!error_.empty()) throw DecodeError(error_);
}

void RrWriter::wait_idle() {
  std::unique_lock lock(mutex_);
  progress_.wait(lock, [this] { return (queue_.empty() && !writing_) || !error_.empty(); });
  if (!error_.empty()) throw DecodeError(error_);
}

// Compression is most of a recording's own cost when the guest takes in a
// lot of data (network frames, embedded disk reads): it runs here, beside
// the emulation thread, not in it.
void RrWriter::writer_thread() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [this] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // stopping, and everything is out
    QueuedBlock b = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    std::string error;
    try {
      write_block(b);
    } catch (const DecodeError& e) {
      error = e.what();
    }
    lock.lock();
    writing_ = false;
    if (!error.empty() && error_.empty()) error_ = error;
    if (error_.empty()) index_.push_back(b.info);
    progress_.notify_all();
  }
}

// Writes at the end of the file. offset_ is the writer thread's while it
// runs, the main thread's before it starts (header) and after wait_idle
// (index, trailer).
void RrWriter::write_all(const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t k = ::write(fd_, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) throw DecodeError("writing rrfile '" + path_ + "' failed: " + std::strerror(errno));
    p += k;
    n -= static_cast<size_t>(k);
    std::lock_guard lock(mutex_);
    offset_ += static_cast<uint64_t>(k);
  }
}

void RrWriter::append(uint8_t kind, uint64_t icount, const uint8_t* payload, size_t len) {
  if (len + 32 > kRrMaxRawBlock) throw DecodeError("event too large for an rrfile block");
  if (raw_.size() + len + 32 > kRrMaxRawBlock) flush();
  if (block_events_ == 0) block_first_ = block_last_ = icount;
  if (icount < block_last_) throw DecodeError("internal: events out of icount order");
  raw_.u8(kind);
  raw_.varint(icount - block_last_);
  raw_.blob(payload, len);
  block_last_ = icount;
  ++block_events_;
  ++total_events_;
}

void RrWriter::flush() {
  if (block_events_ == 0 || fd_ < 0) return;
  throw_write_error();
  QueuedBlock b;
  b.info.seq = static_cast<uint32_t>(blocks_queued_);
  b.info.raw_len = static_cast<uint32_t>(raw_.size());
  b.info.first_icount = block_first_;
  b.info.last_icount = block_last_;
  b.info.events = block_events_;
  b.raw = std::move(raw_.buffer());
  raw_.clear();
  block_events_ = 0;
  ++blocks_queued_;
  {
    std::unique_lock lock(mutex_);
    progress_.wait(lock, [this] { return queue_.size() < kMaxQueuedBlocks || !error_.empty(); });
    if (!error_.empty()) throw DecodeError(error_);
    queue_.push_back(std::move(b));
  }
  work_.notify_one();
}

void RrWriter::write_block(QueuedBlock& b) {
  uLongf bound = compressBound(static_cast<uLong>(b.raw.size()));
  std::vector<uint8_t> block(kBlockHeaderSize + bound);
  uLongf comp_len = bound;
  if (compress2(block.data() + kBlockHeaderSize, &comp_len, b.raw.data(), static_cast<uLong>(b.raw.size()), 6) != Z_OK)
    throw DecodeError("compressing an rrfile block failed");
  RrBlockInfo& info = b.info;
  info.offset = bytes_written();
  info.compressed_len = static_cast<uint32_t>(comp_len);
  ByteWriter h;
  h.bytes(kBlockMagic, 4);
  put_block_fields(h, info);
  std::memcpy(block.data(), h.buffer().data(), 36);
  uint32_t c = crc32_of(block.data() + kBlockHeaderSize, comp_len, crc32_of(block.data(), 36));
  std::memcpy(block.data() + 36, &c, 4);
  write_all(block.data(), kBlockHeaderSize + comp_len);
}

void RrWriter::finish(uint64_t final_icount) {
  if (fd_ < 0) return;
  flush();
  wait_idle();
  uint64_t index_offset = bytes_written();
  ByteWriter w;
  w.bytes(kIndexMagic, 4);
  w.u32(static_cast<uint32_t>(index_.size()));
  for (const RrBlockInfo& b : index_) {
    w.u64(b.offset);
    put_block_fields(w, b);
  }
  w.u64(total_events_);
  w.u64(final_icount);
  w.u32(crc32_of(w.buffer().data(), w.size()));
  w.u64(index_offset);
  w.bytes(kTrailerMagic, 8);
  write_all(w.buffer().data(), w.size());
  if (::close(fd_) != 0) throw DecodeError("closing rrfile '" + path_ + "' failed: " + std::strerror(errno));
  fd_ = -1;
}

RrReader::RrReader(const std::string& path) : path_(path) {
  try {
    open_file();
    parse_header();
    walk_blocks();
  } catch (...) {
    // No destructor runs for a refused file: close it here.
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    throw;
  }
}

RrReader::~RrReader() {
  if (fd_ >= 0) ::close(fd_);
}

// Only a regular file can be a recording: it is read at offsets, and a
// FIFO or a device (/dev/zero, /dev/urandom) never ends. O_NONBLOCK: opening
// a FIFO must not wait for a writer.
void RrReader::open_file() {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) throw DecodeError("cannot open rrfile '" + path_ + "': " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd_, &st) != 0) throw DecodeError("cannot open rrfile '" + path_ + "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    const char* what = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a file";
    throw DecodeError("rrfile '" + path_ + "' is not a regular file (" + what + ")");
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

// Up to n bytes at `offset` (fewer only at the end of the file).
size_t RrReader::read_at(uint64_t offset, void* buf, size_t n) const {
  size_t done = 0;
  while (done < n) {
    ssize_t k = ::pread(fd_, static_cast<uint8_t*>(buf) + done, n - done, static_cast<off_t>(offset + done));
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) throw DecodeError("cannot read rrfile '" + path_ + "': " + std::strerror(errno));
    if (k == 0) break;
    done += static_cast<size_t>(k);
  }
  return done;
}

// The CRC-32 of `len` bytes at `offset`, continued from `start`, read a
// bounded chunk at a time.
uint32_t RrReader::crc_of(uint64_t offset, uint64_t len, uint32_t start) const {
  std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(len, kChunk)));
  uint32_t c = start;
  while (len > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, kChunk));
    if (read_at(offset, buf.data(), n) != n)
      throw DecodeError("rrfile '" + path_ + "': file shrank while it was read");
    c = crc32_of(buf.data(), n, c);
    offset += n;
    len -= n;
  }
  return c;
}

void RrReader::walk_blocks() {
  const std::string& path = path_;
  // Walk the blocks. The trailer, if any, tells where the index starts; the
  // walk must land exactly there.
  uint64_t index_offset = size_;
  bool has_trailer = false;
  if (size_ >= body_offset_ + kTrailerSize) {
    uint8_t trailer[kTrailerSize];
    if (read_at(size_ - kTrailerSize, trailer, kTrailerSize) != kTrailerSize)
      throw DecodeError("rrfile '" + path + "': file shrank while it was read");
    if (std::memcmp(trailer + 8, kTrailerMagic, 8) == 0) {
      std::memcpy(&index_offset, trailer, 8);
      has_trailer = index_offset >= body_offset_ && index_offset <= size_ - kTrailerSize;
      if (!has_trailer) throw DecodeError("rrfile '" + path + "': corrupt trailer (index offset out of range)");
    }
  }
  uint64_t pos = body_offset_;
  uint64_t last_icount = 0;
  auto stop = [&](const std::string& why) {
    // Past the last good block. With a trailer the file claimed to be
    // complete: damage, refuse. Without one it may just be cut short.
    if (has_trailer) throw DecodeError("rrfile '" + path + "': " + why);
    truncation_ = why;
  };
  uint8_t p[kBlockHeaderSize];
  while (pos < index_offset) {
    uint64_t avail = index_offset - pos;
    size_t got = read_at(pos, p, static_cast<size_t>(std::min<uint64_t>(avail, kBlockHeaderSize)));
    if (got < std::min<uint64_t>(avail, kBlockHeaderSize))
      throw DecodeError("rrfile '" + path + "': file shrank while it was read");
    if (avail >= 4 && std::memcmp(p, kIndexMagic, 4) == 0 && !has_trailer) {
      // A complete index and trailer followed by more bytes: something was
      // appended to a finished recording.
      uint64_t end = 0;
      if (complete_index_at(pos, end))
        throw DecodeError("rrfile '" + path + "': " + std::to_string(size_ - end) +
                          " unexpected bytes after the end-of-recording trailer (at byte " + std::to_string(end) +
                          ", corrupt file)");
      stop("index without trailer at byte " + std::to_string(pos) + " (file cut short)");
      break;
    }
    if (avail < kBlockHeaderSize) {
      stop("file ends inside block " + std::to_string(blocks_.size()) + " (at byte " + std::to_string(pos) + ")");
      break;
    }
    ByteReader r(p, kBlockHeaderSize);
    char magic[4];
    r.bytes(magic, 4);
    RrBlockInfo b;
    b.offset = pos;
    get_block_fields(r, b);
    uint32_t want_crc = r.u32();
    std::string where = "block " + std::to_string(blocks_.size()) + " at byte " + std::to_string(pos);
    if (std::memcmp(magic, kBlockMagic, 4) != 0) {
      // A torn write can leave garbage only at the very end; anything else is damage.
      throw DecodeError("rrfile '" + path + "': " + where + ": bad block signature (corrupt file)");
    }
    if (b.compressed_len > kRrMaxCompressedBlock || b.raw_len > kRrMaxRawBlock || b.raw_len == 0 || b.events == 0)
      throw DecodeError("rrfile '" + path + "': " + where + ": impossible block sizes (corrupt file)");
    if (avail - kBlockHeaderSize < b.compressed_len) {
      stop("file ends inside " + where + " (recording was interrupted)");
      break;
    }
    uint32_t crc_got = crc_of(pos + kBlockHeaderSize, b.compressed_len, crc32_of(p, 36));
    if (crc_got != want_crc) {
      // The last block of an unfinished file may be torn mid-write.
      if (!has_trailer && pos + kBlockHeaderSize + b.compressed_len == size_) {
        stop("last block torn (" + where + ", checksum mismatch)");
        break;
      }
      throw DecodeError("rrfile '" + path + "': " + where + ": checksum mismatch (corrupt file)");
    }
    if (b.seq != blocks_.size() || b.first_icount > b.last_icount || b.first_icount < last_icount)
      throw DecodeError("rrfile '" + path + "': " + where + ": blocks out of order (corrupt file)");
    last_icount = b.last_icount;
    blocks_.push_back(b);
    pos += kBlockHeaderSize + b.compressed_len;
  }
  if (has_trailer) {
    if (pos != index_offset || !parse_index(index_offset, size_ - kTrailerSize - index_offset))
      throw DecodeError("rrfile '" + path + "': corrupt index (does not match the blocks)");
  } else if (truncation_.empty()) {
    truncation_ = "no end-of-recording index (recording was interrupted)";
  }
  if (!has_trailer) final_icount_ = last_icount;
}

void RrReader::parse_header() {
  const std::string what = "rrfile '" + path_ + "'";
  uint8_t head[16] = {};
  size_t got = read_at(0, head, sizeof head);
  if (got < 8 || std::memcmp(head, kMagic, 8) != 0) throw DecodeError(what + " is not a rewind recording (bad magic)");
  if (size_ < 20 || got < 16) throw DecodeError(what + ": header truncated");
  ByteReader r(head + 8, 8);
  header_.version = r.u32();
  uint32_t body_len = r.u32();
  bool sane = body_len <= kRrMaxHeader && body_len + 20ull <= size_;
  // Only the header is read: at most kRrMaxHeader + 20 bytes.
  std::vector<uint8_t> data;
  if (sane) {
    data.resize(20 + body_len);
    if (read_at(0, data.data(), data.size()) != data.size()) sane = false;
  }
  uint32_t want = 0;
  if (sane) std::memcpy(&want, data.data() + 16 + body_len, 4);
  bool crc_ok = sane && crc32_of(data.data(), 16 + body_len) == want;
  // A version we do not know may lay its header out differently; a version
  // field that fails the checksum is damage.
  if (header_.version != kRrFormatVersion)
    throw DecodeError(what + (crc_ok ? ": format version " + std::to_string(header_.version) +
                                             ", this rewind reads version " + std::to_string(kRrFormatVersion)
                                       : ": header is corrupt (unknown format version, checksum mismatch)"));
  if (!sane) throw DecodeError(what + ": header truncated or corrupt");
  if (!crc_ok) throw DecodeError(what + ": header checksum mismatch (corrupt file)");
  try {
    ByteReader b(data.data() + 16, body_len);
    uint64_t n = b.varint();
    if (n > 4096) throw DecodeError("too many fields");
    for (uint64_t i = 0; i < n; ++i) {
      std::string k = b.str(256);
      header_.fields[k] = b.str(kRrMaxHeader);
    }
    if (!b.at_end()) throw DecodeError("trailing bytes");
  } catch (const DecodeError& e) {
    throw DecodeError(what + ": malformed header (" + e.what() + ")");
  }
  // The one header field about the container itself: its integers are
  // little-endian (when the field is there; rewind's recordings always
  // have it, see validate_recording_header).
  auto endian = header_.fields.find("host-endian");
  if (endian != header_.fields.end() && endian->second != "little")
    throw DecodeError(what + ": header field 'host-endian' is '" + escaped(endian->second) +
                      "', this rewind reads little-endian recordings");
  body_offset_ = 16 + body_len + 4;
}

// The index (at index_offset, index_len bytes up to the trailer) against
// the blocks walked: read kChunk bytes at a time.
bool RrReader::parse_index(uint64_t index_offset, uint64_t len) {
  if (len < 28) return false;
  uint8_t tail[20];
  uint32_t want;
  if (read_at(index_offset + len - 4, &want, 4) != 4) return false;
  if (crc_of(index_offset, len - 4, 0) != want) return false;
  uint8_t head[8];
  if (read_at(index_offset, head, 8) != 8) return false;
  if (std::memcmp(head, kIndexMagic, 4) != 0) return false;
  uint32_t n;
  std::memcpy(&n, head + 4, 4);
  if (n != blocks_.size() || len - 8 - 4 != n * uint64_t{kIndexEntrySize} + 16) return false;
  try {
    uint64_t events = 0;
    constexpr size_t kEntriesPerChunk = kChunk / kIndexEntrySize;
    std::vector<uint8_t> buf(std::min<size_t>(n, kEntriesPerChunk) * kIndexEntrySize);
    for (size_t first = 0; first < n; first += kEntriesPerChunk) {
      size_t count = std::min<size_t>(n - first, kEntriesPerChunk);
      size_t bytes = count * kIndexEntrySize;
      if (read_at(index_offset + 8 + first * kIndexEntrySize, buf.data(), bytes) != bytes) return false;
      ByteReader r(buf.data(), bytes);
      for (size_t i = first; i < first + count; ++i) {
        RrBlockInfo entry;
        entry.offset = r.u64();
        get_block_fields(r, entry);
        if (entry != blocks_[i]) return false;
        events += blocks_[i].events;
      }
    }
    if (read_at(index_offset + 8 + n * uint64_t{kIndexEntrySize}, tail, 16) != 16) return false;
    ByteReader r(tail, 16);
    if (r.u64() != events) return false;
    final_icount_ = r.u64();
    if (!blocks_.empty() && final_icount_ < blocks_.back().last_icount) return false;
  } catch (const DecodeError&) {
    return false;
  }
  return true;
}

// Whether a whole index with a valid checksum, and a trailer pointing back
// at it, start at `pos`; `end` is then the end of the trailer.
bool RrReader::complete_index_at(uint64_t pos, uint64_t& end) const {
  uint8_t head[8];
  if (read_at(pos, head, 8) != 8) return false;
  uint32_t n;
  std::memcpy(&n, head + 4, 4);
  uint64_t len = 28 + n * uint64_t{kIndexEntrySize};
  if (pos + len + kTrailerSize > size_) return false;
  uint8_t trailer[kTrailerSize];
  if (read_at(pos + len, trailer, kTrailerSize) != kTrailerSize) return false;
  uint64_t back;
  std::memcpy(&back, trailer, 8);
  if (back != pos || std::memcmp(trailer + 8, kTrailerMagic, 8) != 0) return false;
  uint32_t want;
  if (read_at(pos + len - 4, &want, 4) != 4 || crc_of(pos, len - 4, 0) != want) return false;
  end = pos + len + kTrailerSize;
  return true;
}

// The block is read again and checked against what the walk validated: the
// file may have changed since.
std::vector<uint8_t> RrReader::read_block(size_t i) const {
  const RrBlockInfo& b = blocks_.at(i);
  std::vector<uint8_t> block(kBlockHeaderSize + b.compressed_len);
  ByteWriter h;
  h.bytes(kBlockMagic, 4);
  put_block_fields(h, b);
  uint32_t want_crc;
  if (read_at(b.offset, block.data(), block.size()) != block.size() ||
      std::memcmp(block.data(), h.buffer().data(), 36) != 0 ||
      (std::memcpy(&want_crc, block.data() + 36, 4),
       crc32_of(block.data() + kBlockHeaderSize, b.compressed_len, crc32_of(block.data(), 36)) != want_crc))
    throw DecodeError("rrfile '" + path_ + "': block " + std::to_string(i) + " at byte " + std::to_string(b.offset) +
                      " changed since the file was opened");
  std::vector<uint8_t> raw(b.raw_len);
  uLongf len = b.raw_len;
  int rc = uncompress(raw.data(), &len, block.data() + kBlockHeaderSize, b.compressed_len);
  if (rc != Z_OK || len != b.raw_len)
    throw DecodeError("rrfile '" + path_ + "': block " + std::to_string(i) + " at byte " + hex(b.offset) +
                        " does not decompress (corrupt file)");
  return raw;
}

bool RrEventCursor::next(uint8_t& kind, uint64_t& icount, std::vector<uint8_t>& payload) {
  if (r_.at_end()) {
    // The block header promised these; a block that disagrees is damaged.
    if (seen_ != info_.events || icount_ != info_.last_icount)
      throw DecodeError("event count or last icount does not match the block header");
    return false;
  }
  if (++seen_ > info_.events) throw DecodeError("more events than the block header says");
  kind = r_.u8();
  uint64_t delta = r_.varint();
  if (icount_ + delta < icount_) throw DecodeError("icount overflows");
  icount_ += delta;
  icount = icount_;
  payload = r_.blob(kRrMaxRawBlock);
  return true;
}

namespace {

// A decimal uint64 as the recorder writes it (std::to_string): digits only,
// no sign, space or base prefix, and no overflow.
bool parse_decimal_u64(const std::string& s, uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    unsigned d = static_cast<unsigned>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

}  // namespace

RrRecordingHeader validate_recording_header(const std::string& path, const RrHeader& h) {
  const std::string what = "rrfile '" + path + "': header field '";
  auto field = [&](const char* key) -> const std::string& {
    auto it = h.fields.find(key);
    if (it == h.fields.end()) throw DecodeError(what + key + "' is missing");
    return it->second;
  };
  auto number = [&](const char* key, const char* meaning) {
    const std::string& v = field(key);
    uint64_t n;
    if (!parse_decimal_u64(v, n))
      throw DecodeError(what + key + "' is not " + meaning + " ('" + escaped(v) + "')");
    return n;
  };
  RrRecordingHeader r;
  r.build = field("build");
  if (r.build.empty()) throw DecodeError(what + "build' is empty");
  r.config = field("config");
  if (r.config.empty()) throw DecodeError(what + "config' is empty");
  r.seed = number("seed", "a 64-bit number");
  r.check_interval = number("check-interval", "a number of instructions");
  if (h.fields.count("ram-check-interval")) r.ram_check_interval = number("ram-check-interval", "a number of instructions");
  if (h.fields.count("net-check")) {
    const std::string& v = field("net-check");
    if (v != "on" && v != "off") throw DecodeError(what + "net-check' is not on or off ('" + escaped(v) + "')");
    r.net_check = v == "on";
  }
  if (h.fields.count("page-hash")) {
    const std::string& v = field("page-hash");
    if (!parse_page_hash(v, r.page_hash))
      throw DecodeError(what + "page-hash' names a hash this rewind does not know ('" + escaped(v) + "')");
  }
  const std::string& endian = field("host-endian");
  if (endian != "little")
    throw DecodeError(what + "host-endian' is '" + escaped(endian) + "', this rewind reads little-endian recordings");
  return r;
}

}  // namespace rwd
