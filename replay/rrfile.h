// The rrfile container (docs/rrfile.md): a checksummed header, then
// zlib-compressed, checksummed blocks of encoded events, then (when the
// recording ended cleanly) an index of the blocks and a fixed-size trailer.
// This layer knows nothing about what events mean: it moves opaque event
// records and the icount each one is pinned to.
//
// Crash consistency: each block is written with one write(2) straight to the
// file (no stdio buffer), so a recorder killed at any moment leaves every
// block written so far intact in the page cache; at most the block being
// written is torn, and the reader detects that by its length and checksum.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/byte_codec.h"

namespace rwd {

inline constexpr uint32_t kRrFormatVersion = 1;
inline constexpr size_t kRrMaxRawBlock = 1u << 20;       // events of one block, uncompressed
inline constexpr size_t kRrMaxCompressedBlock = (1u << 20) + 4096;
inline constexpr size_t kRrMaxHeader = 1u << 20;

// Header fields: an ordered map of short names to byte strings.
struct RrHeader {
  uint32_t version = kRrFormatVersion;
  std::map<std::string, std::string> fields;
  std::string get(const std::string& key) const {
    auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
  }
};

struct RrBlockInfo {
  uint64_t offset = 0;  // of the block header in the file
  uint32_t seq = 0;
  uint32_t compressed_len = 0, raw_len = 0;
  uint64_t first_icount = 0, last_icount = 0;
  uint32_t events = 0;
  bool operator==(const RrBlockInfo&) const = default;
};

class RrWriter {
 public:
  // Creates (truncates) `path` and writes the header. Throws DecodeError
  // with a one-line message on I/O failure.
  RrWriter(const std::string& path, const RrHeader& header);
  ~RrWriter();
  RrWriter(const RrWriter&) = delete;
  RrWriter& operator=(const RrWriter&) = delete;

  // Appends one event: its kind byte, its icount (stored as a delta), then
  // `payload` with its length. Icounts must not decrease.
  void append(uint8_t kind, uint64_t icount, const uint8_t* payload, size_t len);
  size_t pending_bytes() const { return raw_.size(); }
  // Compresses and writes the pending events as one block.
  void flush();
  // Flushes, writes the index and the trailer, and closes the file.
  void finish(uint64_t final_icount);
  uint64_t bytes_written() const { return offset_; }
  size_t blocks_written() const { return index_.size(); }
  uint64_t events_written() const { return total_events_; }

 private:
  void write_all(const uint8_t* p, size_t n);
  std::string path_;
  int fd_ = -1;
  uint64_t offset_ = 0;
  ByteWriter raw_;
  uint32_t block_events_ = 0;
  uint64_t block_first_ = 0, block_last_ = 0;
  uint64_t total_events_ = 0;
  std::vector<RrBlockInfo> index_;
};

// Opens and validates a whole rrfile up front: the header, every block's
// framing and checksum, and the index when present. A file that is not an
// rrfile, has a different version or a corrupt header or block is refused
// (DecodeError naming the problem and where). A file that simply stops
// (no index: the recorder was killed, or a torn last block) is accepted: its
// valid blocks replay, and truncation() says where it ends.
class RrReader {
 public:
  explicit RrReader(const std::string& path);
  const RrHeader& header() const { return header_; }
  const std::vector<RrBlockInfo>& blocks() const { return blocks_; }
  // Empty for a cleanly finished file; otherwise why the file ends early.
  const std::string& truncation() const { return truncation_; }
  uint64_t final_icount() const { return final_icount_; }
  uint64_t file_size() const { return data_.size(); }
  // The events of block `i`, uncompressed (throws on a corrupt stream).
  std::vector<uint8_t> read_block(size_t i) const;

 private:
  void parse_header();
  bool parse_index(uint64_t index_offset);
  std::string path_;
  std::vector<uint8_t> data_;
  RrHeader header_;
  uint64_t body_offset_ = 0;
  std::vector<RrBlockInfo> blocks_;
  std::string truncation_;
  uint64_t final_icount_ = 0;
};

// Decodes the events of one block: kind byte, icount (delta-coded), and the
// length-prefixed payload. `next` returns false at the end of the block and
// throws DecodeError on a malformed record.
class RrEventCursor {
 public:
  RrEventCursor(const std::vector<uint8_t>& raw, const RrBlockInfo& info)
      : raw_(raw), r_(raw_), info_(info), icount_(info.first_icount) {}
  RrEventCursor(const RrEventCursor&) = delete;  // r_ points into raw_
  RrEventCursor& operator=(const RrEventCursor&) = delete;
  bool next(uint8_t& kind, uint64_t& icount, std::vector<uint8_t>& payload);
  uint64_t icount() const { return icount_; }  // of the last event read

 private:
  std::vector<uint8_t> raw_;
  ByteReader r_;
  RrBlockInfo info_;
  uint64_t icount_;
  uint32_t seen_ = 0;
};

}  // namespace rwd
