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
// Blocks are compressed and written by the writer's own thread, in order:
// a kill also loses the few blocks queued for it.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/byte_codec.h"
#include "util/page_hash.h"

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
  // Hands the pending events, as one block, to the writer thread, which
  // compresses and writes it (waiting when kMaxQueuedBlocks are queued).
  // A write error of an earlier block is thrown here, or by append/finish.
  void flush();
  // Flushes, waits for the writer thread, writes the index and the trailer,
  // and closes the file.
  void finish(uint64_t final_icount);
  uint64_t bytes_written() const;
  size_t blocks_written() const { return blocks_queued_; }  // queued or written
  uint64_t events_written() const { return total_events_; }

  static constexpr size_t kMaxQueuedBlocks = 8;

 private:
  struct QueuedBlock {
    std::vector<uint8_t> raw;
    RrBlockInfo info;  // all but offset and compressed_len
  };
  void write_all(const uint8_t* p, size_t n);
  void write_block(QueuedBlock& b);  // writer thread
  void writer_thread();
  void wait_idle();                  // main thread: queue empty, no block in hand
  void throw_write_error() const;    // main thread: a block failed to go out
  std::string path_;
  int fd_ = -1;
  ByteWriter raw_;
  uint32_t block_events_ = 0;
  uint64_t block_first_ = 0, block_last_ = 0;
  uint64_t total_events_ = 0;
  size_t blocks_queued_ = 0;
  // Shared with the writer thread.
  mutable std::mutex mutex_;
  std::condition_variable work_, progress_;
  std::deque<QueuedBlock> queue_;
  bool writing_ = false, stopping_ = false;
  std::string error_;
  uint64_t offset_ = 0;
  std::vector<RrBlockInfo> index_;
  std::thread thread_;
};

// Opens and validates a whole rrfile up front: the header, every block's
// framing and checksum, and the index when present. A file that is not an
// rrfile, has a different version or a corrupt header or block is refused
// (DecodeError naming the problem and where). A file that simply stops
// (no index: the recorder was killed, or a torn last block) is accepted: its
// valid blocks replay, and truncation() says where it ends.
//
// Memory does not grow with the file: the magic and header are checked
// first (reading only the header), then the blocks are walked with pread,
// a bounded buffer at a time; only the block index (one RrBlockInfo per
// block) stays in memory. read_block() reads a block's bytes when asked,
// and checks them again. Only regular files are read: a FIFO, a device
// (/dev/zero) or a directory is refused before anything is read.
class RrReader {
 public:
  explicit RrReader(const std::string& path);
  ~RrReader();
  RrReader(const RrReader&) = delete;
  RrReader& operator=(const RrReader&) = delete;
  const std::string& path() const { return path_; }
  const RrHeader& header() const { return header_; }
  const std::vector<RrBlockInfo>& blocks() const { return blocks_; }
  // Empty for a cleanly finished file; otherwise why the file ends early.
  const std::string& truncation() const { return truncation_; }
  uint64_t final_icount() const { return final_icount_; }
  uint64_t file_size() const { return size_; }
  // The events of block `i`, uncompressed (throws on a corrupt stream, or
  // when the block's bytes changed since they were validated).
  std::vector<uint8_t> read_block(size_t i) const;

 private:
  void open_file();
  void parse_header();
  void walk_blocks();
  bool parse_index(uint64_t index_offset, uint64_t index_len);
  bool complete_index_at(uint64_t pos, uint64_t& end) const;
  size_t read_at(uint64_t offset, void* buf, size_t n) const;
  uint32_t crc_of(uint64_t offset, uint64_t len, uint32_t start) const;
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  RrHeader header_;
  uint64_t body_offset_ = 0;
  std::vector<RrBlockInfo> blocks_;
  std::string truncation_;
  uint64_t final_icount_ = 0;
};

// The header fields rewind interprets, validated: one place for the replay
// (ReplayController) and rewind-dump. Throws DecodeError with one line
// naming the file and the field ("rrfile 'x.rr': header field 'seed' is not
// a 64-bit number") when a required field is missing or a value is
// impossible. Fields it does not know are kept (and shown) as they are.
struct RrRecordingHeader {
  std::string build;   // the recorder, e.g. "rewind 0.1.0"
  std::string config;  // the machine fingerprint (replay/replay_config.h)
  uint64_t seed = 0;
  uint64_t check_interval = 0;  // 0: no periodic checkpoints
  uint64_t ram_check_interval = 0;  // 0 (or absent, older files): every event check hashes RAM
  bool net_check = false;  // net-check: on (absent: off)
  PageHash page_hash = PageHash::kWords;  // page-hash (absent, older files: words)
};
RrRecordingHeader validate_recording_header(const std::string& path, const RrHeader& header);

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
