#include "replay/rrfile.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>

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

uint32_t crc(const uint8_t* p, size_t n, uint32_t start = 0) {
  uLong c = start;
  while (n > 0) {  // zlib's length is a uInt
    uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    c = crc32(c, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(c);
}

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
  w.u32(crc(w.buffer().data(), w.size()));
  write_all(w.buffer().data(), w.size());
}

RrWriter::~RrWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void RrWriter::write_all(const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t k = ::write(fd_, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) throw DecodeError("writing rrfile '" + path_ + "' failed: " + std::strerror(errno));
    p += k;
    n -= static_cast<size_t>(k);
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
  uLongf bound = compressBound(static_cast<uLong>(raw_.size()));
  std::vector<uint8_t> block(kBlockHeaderSize + bound);
  uLongf comp_len = bound;
  if (compress2(block.data() + kBlockHeaderSize, &comp_len, raw_.buffer().data(),
                static_cast<uLong>(raw_.size()), 6) != Z_OK)
    throw DecodeError("compressing an rrfile block failed");
  RrBlockInfo info;
  info.offset = offset_;
  info.seq = static_cast<uint32_t>(index_.size());
  info.compressed_len = static_cast<uint32_t>(comp_len);
  info.raw_len = static_cast<uint32_t>(raw_.size());
  info.first_icount = block_first_;
  info.last_icount = block_last_;
  info.events = block_events_;
  ByteWriter h;
  h.bytes(kBlockMagic, 4);
  put_block_fields(h, info);
  std::memcpy(block.data(), h.buffer().data(), 36);
  uint32_t c = crc(block.data() + kBlockHeaderSize, comp_len, crc(block.data(), 36));
  std::memcpy(block.data() + 36, &c, 4);
  write_all(block.data(), kBlockHeaderSize + comp_len);
  index_.push_back(info);
  raw_.clear();
  block_events_ = 0;
}

void RrWriter::finish(uint64_t final_icount) {
  if (fd_ < 0) return;
  flush();
  uint64_t index_offset = offset_;
  ByteWriter w;
  w.bytes(kIndexMagic, 4);
  w.u32(static_cast<uint32_t>(index_.size()));
  for (const RrBlockInfo& b : index_) {
    w.u64(b.offset);
    put_block_fields(w, b);
  }
  w.u64(total_events_);
  w.u64(final_icount);
  w.u32(crc(w.buffer().data(), w.size()));
  w.u64(index_offset);
  w.bytes(kTrailerMagic, 8);
  write_all(w.buffer().data(), w.size());
  if (::close(fd_) != 0) throw DecodeError("closing rrfile '" + path_ + "' failed: " + std::strerror(errno));
  fd_ = -1;
}

RrReader::RrReader(const std::string& path) : path_(path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DecodeError("cannot open rrfile '" + path + "': " + std::strerror(errno));
  data_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) throw DecodeError("cannot read rrfile '" + path + "'");
  parse_header();

  // Walk the blocks. The trailer, if any, tells where the index starts; the
  // walk must land exactly there.
  uint64_t index_offset = data_.size();
  bool has_trailer = false;
  if (data_.size() >= body_offset_ + kTrailerSize &&
      std::memcmp(data_.data() + data_.size() - 8, kTrailerMagic, 8) == 0) {
    std::memcpy(&index_offset, data_.data() + data_.size() - kTrailerSize, 8);
    has_trailer = index_offset >= body_offset_ && index_offset <= data_.size() - kTrailerSize;
    if (!has_trailer) throw DecodeError("rrfile '" + path + "': corrupt trailer (index offset out of range)");
  }
  uint64_t pos = body_offset_;
  uint64_t last_icount = 0;
  auto stop = [&](const std::string& why) {
    // Past the last good block. With a trailer the file claimed to be
    // complete: damage, refuse. Without one it may just be cut short.
    if (has_trailer) throw DecodeError("rrfile '" + path + "': " + why);
    truncation_ = why;
  };
  while (pos < index_offset) {
    const uint8_t* p = data_.data() + pos;
    uint64_t avail = index_offset - pos;
    if (avail >= 4 && std::memcmp(p, kIndexMagic, 4) == 0 && !has_trailer) {
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
    uint32_t got = crc(p + kBlockHeaderSize, b.compressed_len, crc(p, 36));
    if (got != want_crc) {
      // The last block of an unfinished file may be torn mid-write.
      if (!has_trailer && pos + kBlockHeaderSize + b.compressed_len == data_.size()) {
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
    if (pos != index_offset || !parse_index(index_offset))
      throw DecodeError("rrfile '" + path + "': corrupt index (does not match the blocks)");
  } else if (truncation_.empty()) {
    truncation_ = "no end-of-recording index (recording was interrupted)";
  }
  if (!has_trailer) final_icount_ = last_icount;
}

void RrReader::parse_header() {
  const std::string what = "rrfile '" + path_ + "'";
  if (data_.size() < 8 || std::memcmp(data_.data(), kMagic, 8) != 0)
    throw DecodeError(what + " is not a rewind recording (bad magic)");
  if (data_.size() < 20) throw DecodeError(what + ": header truncated");
  ByteReader r(data_.data() + 8, data_.size() - 8);
  header_.version = r.u32();
  uint32_t body_len = r.u32();
  bool sane = body_len <= kRrMaxHeader && body_len + 20ull <= data_.size();
  uint32_t want = 0;
  if (sane) std::memcpy(&want, data_.data() + 16 + body_len, 4);
  bool crc_ok = sane && crc(data_.data(), 16 + body_len) == want;
  // A version we do not know may lay its header out differently; a version
  // field that fails the checksum is damage.
  if (header_.version != kRrFormatVersion)
    throw DecodeError(what + (crc_ok ? ": format version " + std::to_string(header_.version) +
                                             ", this rewind reads version " + std::to_string(kRrFormatVersion)
                                       : ": header is corrupt (unknown format version, checksum mismatch)"));
  if (!sane) throw DecodeError(what + ": header truncated or corrupt");
  if (!crc_ok) throw DecodeError(what + ": header checksum mismatch (corrupt file)");
  try {
    ByteReader b(data_.data() + 16, body_len);
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
  body_offset_ = 16 + body_len + 4;
}

bool RrReader::parse_index(uint64_t index_offset) {
  uint64_t len = data_.size() - kTrailerSize - index_offset;
  const uint8_t* p = data_.data() + index_offset;
  if (len < 28) return false;
  uint32_t want;
  std::memcpy(&want, p + len - 4, 4);
  if (crc(p, len - 4) != want) return false;
  try {
    ByteReader r(p, len - 4);
    char magic[4];
    r.bytes(magic, 4);
    if (std::memcmp(magic, kIndexMagic, 4) != 0) return false;
    uint32_t n = r.u32();
    if (n != blocks_.size() || r.left() != n * kIndexEntrySize + 16) return false;
    uint64_t events = 0;
    for (const RrBlockInfo& b : blocks_) {
      RrBlockInfo entry;
      entry.offset = r.u64();
      get_block_fields(r, entry);
      if (entry != b) return false;
      events += b.events;
    }
    if (r.u64() != events) return false;
    final_icount_ = r.u64();
    if (!blocks_.empty() && final_icount_ < blocks_.back().last_icount) return false;
  } catch (const DecodeError&) {
    return false;
  }
  return true;
}

std::vector<uint8_t> RrReader::read_block(size_t i) const {
  const RrBlockInfo& b = blocks_.at(i);
  std::vector<uint8_t> raw(b.raw_len);
  uLongf len = b.raw_len;
  int rc = uncompress(raw.data(), &len, data_.data() + b.offset + kBlockHeaderSize, b.compressed_len);
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

}  // namespace rwd
