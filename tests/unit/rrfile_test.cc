// Tests for the rrfile container (replay/rrfile.{h,cc}): writer/reader round
// trips, recordings cut short by a killed recorder, and that damage — a
// truncation at any byte, any single flipped bit, a wrong version, a file
// that is not an rrfile at all — is either refused with DecodeError or
// reads back as (a prefix of) exactly what was written: never a crash, a
// hang, or different events.
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "util/byte_codec.h"
#include "replay/event_codec.h"
#include "replay/events.h"
#include "replay/rrfile.h"

namespace rwd {
namespace {

struct Event {
  uint8_t kind;
  uint64_t icount;
  std::vector<uint8_t> payload;
  bool operator==(const Event&) const = default;
};

// A scratch file, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& tag) {
    const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = ::testing::TempDir() + "rrfile_test_" + t->name() + "_" + tag + "_" + std::to_string(getpid()) + ".rr";
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_all(const std::string& path, const uint8_t* data, size_t n) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
  ASSERT_TRUE(out.good());
}
void write_all(const std::string& path, const std::vector<uint8_t>& d) { write_all(path, d.data(), d.size()); }

RrHeader test_header() {
  RrHeader h;
  h.fields["build"] = "rewind 0.1.0";
  h.fields["created"] = "2024-05-06T07:08:09Z";
  h.fields["config"] = "machine=virt\nram=134217728\n";
  h.fields["empty"] = "";
  h.fields["binary"] = std::string("a\0b\xff\n", 5);
  return h;
}

void append(RrWriter& w, const Event& e) { w.append(e.kind, e.icount, e.payload.data(), e.payload.size()); }

// Every event of every block, in order. Throws DecodeError like a reader would.
std::vector<Event> read_events(const RrReader& rr, size_t max_blocks = SIZE_MAX) {
  std::vector<Event> out;
  for (size_t b = 0; b < rr.blocks().size() && b < max_blocks; ++b) {
    std::vector<uint8_t> raw = rr.read_block(b);
    EXPECT_EQ(raw.size(), rr.blocks()[b].raw_len);
    RrEventCursor cur(raw, rr.blocks()[b]);
    Event e;
    while (cur.next(e.kind, e.icount, e.payload)) out.push_back(e);
  }
  return out;
}

std::vector<Event> read_events_of(const std::string& path) {
  RrReader rr(path);
  return read_events(rr);
}

// A small recording: three blocks of a few events each, finished.
struct Small {
  std::vector<Event> events;
  std::vector<size_t> block_ends;  // event count after each block
  uint64_t final_icount = 0;
};

Small write_small(const std::string& path, bool finish = true) {
  Small s;
  RrWriter w(path, test_header());
  uint64_t ic = 5;
  for (int b = 0; b < 3; ++b) {
    for (int i = 0; i < 3; ++i) {
      Event e{static_cast<uint8_t>((1 + (b * 3 + i) % 8) | (i == 0 ? kBatchStart : 0)), ic, {}};
      for (int k = 0; k < b * 5 + i; ++k) e.payload.push_back(static_cast<uint8_t>(k * 7 + b));
      append(w, e);
      s.events.push_back(e);
      ic += static_cast<uint64_t>(i * 1000 + b);
    }
    w.flush();
    s.block_ends.push_back(s.events.size());
  }
  s.final_icount = ic + 10;
  if (finish) w.finish(s.final_icount);
  return s;
}

TEST(RrFile, RoundTrip) {
  TempFile f("rt");
  std::mt19937_64 rng(42);
  std::vector<Event> events;
  RrHeader header = test_header();
  uint64_t bytes_written = 0, final_icount = 0;
  {
    RrWriter w(f.path(), header);
    uint64_t ic = 0;
    // Sizes: empty, tiny, medium, a few large enough that the writer must
    // start new blocks on its own (a block holds at most kRrMaxRawBlock).
    const size_t sizes[] = {0, 1, 2, 127, 128, 300, 4096, 65536, 200000, 700000, 900000, 0, 3};
    const uint64_t deltas[] = {0, 0, 1, 127, 128, 16384, 1ull << 40, 3, 0};
    for (int round = 0; round < 3; ++round) {
      for (size_t i = 0; i < std::size(sizes); ++i) {
        Event e;
        e.kind = static_cast<uint8_t>(rng() & 0xff);
        ic += deltas[(i + round) % std::size(deltas)];
        e.icount = ic;
        e.payload.resize(sizes[i]);
        for (auto& b : e.payload) b = static_cast<uint8_t>(rng());
        append(w, e);
        events.push_back(e);
        if (i == 4) w.flush();  // an explicit flush too
      }
    }
    w.flush();
    w.flush();  // nothing pending: no empty block
    EXPECT_EQ(w.events_written(), events.size());
    final_icount = ic + 99;
    w.finish(final_icount);
    bytes_written = w.bytes_written();
  }
  RrReader rr(f.path());
  EXPECT_EQ(rr.truncation(), "");
  EXPECT_EQ(rr.header().version, kRrFormatVersion);
  EXPECT_EQ(rr.header().fields, header.fields);
  EXPECT_EQ(rr.header().get("binary"), std::string("a\0b\xff\n", 5));
  EXPECT_EQ(rr.header().get("missing"), "");
  EXPECT_EQ(rr.file_size(), bytes_written);
  EXPECT_EQ(rr.final_icount(), final_icount);
  ASSERT_GE(rr.blocks().size(), 6u);
  uint64_t n = 0, prev_last = 0, prev_end = 0;
  for (size_t b = 0; b < rr.blocks().size(); ++b) {
    const RrBlockInfo& info = rr.blocks()[b];
    EXPECT_EQ(info.seq, b);
    EXPECT_LE(info.raw_len, kRrMaxRawBlock);
    EXPECT_GE(info.first_icount, prev_last);
    EXPECT_LE(info.first_icount, info.last_icount);
    if (b > 0) {
      EXPECT_EQ(info.offset, prev_end) << "blocks are contiguous";
    }
    prev_end = info.offset + 40 + info.compressed_len;
    prev_last = info.last_icount;
    // The block's events are exactly the next info.events ones.
    EXPECT_EQ(info.first_icount, events[n].icount);
    n += info.events;
    ASSERT_LE(n, events.size());
    EXPECT_EQ(info.last_icount, events[n - 1].icount);
  }
  EXPECT_EQ(n, events.size());
  std::vector<Event> got = read_events(rr);
  ASSERT_EQ(got.size(), events.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(got[i] == events[i]) << "event " << i;
  EXPECT_THROW(rr.read_block(rr.blocks().size()), std::out_of_range);
}

TEST(RrFile, EmptyRecording) {
  TempFile f("empty");
  {
    RrWriter w(f.path(), RrHeader{});
    w.finish(77);
  }
  RrReader rr(f.path());
  EXPECT_EQ(rr.truncation(), "");
  EXPECT_TRUE(rr.blocks().empty());
  EXPECT_TRUE(rr.header().fields.empty());
  EXPECT_EQ(rr.final_icount(), 77u);
}

TEST(RrFile, WriterRefusesBadEvents) {
  TempFile f("bad");
  RrWriter w(f.path(), RrHeader{});
  uint8_t x = 0;
  w.append(1, 100, &x, 1);
  EXPECT_THROW(w.append(1, 99, &x, 1), DecodeError);  // icount went back
  std::vector<uint8_t> huge(kRrMaxRawBlock);
  EXPECT_THROW(w.append(1, 100, huge.data(), huge.size()), DecodeError);
  w.finish(100);
  EXPECT_EQ(read_events_of(f.path()).size(), 1u);
  EXPECT_THROW(RrWriter("/nonexistent-dir/x.rr", RrHeader{}), DecodeError);
}

// The recorder was killed: no finish(), so no index or trailer. Every block
// flushed so far reads back; the pending events are lost.
TEST(RrFile, KilledRecorderKeepsFlushedBlocks) {
  TempFile f("killed");
  std::vector<Event> flushed;
  {
    RrWriter w(f.path(), test_header());
    for (uint64_t i = 0; i < 50; ++i) {
      Event e{static_cast<uint8_t>(1 + i % 8), 10 * i, std::vector<uint8_t>(i % 13, static_cast<uint8_t>(i))};
      append(w, e);
      flushed.push_back(e);
      if (i % 20 == 19) w.flush();
    }
    flushed.resize(40);  // events 40..49 are pending when the writer dies
    EXPECT_GT(w.pending_bytes(), 0u);
  }  // destroyed without finish()
  RrReader rr(f.path());
  EXPECT_NE(rr.truncation(), "");
  EXPECT_EQ(rr.header().fields, test_header().fields);
  ASSERT_EQ(rr.blocks().size(), 2u);
  EXPECT_EQ(rr.final_icount(), 390u);  // the last flushed event
  std::vector<Event> got = read_events(rr);
  EXPECT_TRUE(got == flushed);
}

// Cut the file at every byte: refused (inside the header), or accepted as
// truncated with exactly the blocks wholly inside the prefix.
TEST(RrFile, TruncationAtEveryOffset) {
  TempFile f("orig"), cut("cut");
  Small s = write_small(f.path());
  std::vector<uint8_t> data = read_all(f.path());
  RrReader orig(f.path());
  ASSERT_EQ(orig.blocks().size(), 3u);
  const uint64_t header_end = orig.blocks()[0].offset;
  size_t refused = 0, accepted = 0;
  for (size_t len = 0; len <= data.size(); ++len) {
    SCOPED_TRACE("prefix of " + std::to_string(len) + " of " + std::to_string(data.size()) + " bytes");
    write_all(cut.path(), data.data(), len);
    try {
      RrReader rr(cut.path());
      ++accepted;
      EXPECT_GE(len, header_end) << "a cut header must be refused";
      EXPECT_EQ(rr.truncation().empty(), len == data.size());
      // The blocks wholly inside the prefix, no more, no fewer.
      size_t whole = 0;
      for (const RrBlockInfo& b : orig.blocks())
        if (b.offset + 40 + b.compressed_len <= len) ++whole;
      ASSERT_EQ(rr.blocks().size(), whole);
      for (size_t b = 0; b < whole; ++b) {
        EXPECT_EQ(rr.blocks()[b].offset, orig.blocks()[b].offset);
        EXPECT_EQ(rr.blocks()[b].raw_len, orig.blocks()[b].raw_len);
        EXPECT_EQ(rr.blocks()[b].events, orig.blocks()[b].events);
        EXPECT_EQ(rr.read_block(b), orig.read_block(b));
      }
      std::vector<Event> got = read_events(rr);
      std::vector<Event> want(s.events.begin(),
                              s.events.begin() + static_cast<ptrdiff_t>(whole ? s.block_ends[whole - 1] : 0));
      EXPECT_TRUE(got == want);
      EXPECT_EQ(rr.final_icount(), len == data.size() ? s.final_icount : (want.empty() ? 0 : want.back().icount));
    } catch (const DecodeError& e) {
      ++refused;
      // The documented contract: a file that simply stops is accepted; only
      // a cut inside the header can be refused.
      EXPECT_LT(len, header_end) << e.what();
    }
  }
  EXPECT_EQ(refused, header_end);
  EXPECT_EQ(accepted, data.size() + 1 - header_end);
}

// Events of a possibly damaged file, or nullopt when refused at any stage.
bool try_read(const std::string& path, RrHeader& header, std::vector<Event>& events, std::string& truncation) {
  try {
    RrReader rr(path);
    header = rr.header();
    truncation = rr.truncation();
    events = read_events(rr);
    return true;
  } catch (const DecodeError&) {
    return false;
  }
}

// Writes `data` with each single bit flipped in turn to `path`; calls
// accepted(bit index, header, events, truncation) for every flip the reader
// accepts (the others must be refused with DecodeError, as try_read does).
template <typename F>
void for_each_bit_flip(const std::vector<uint8_t>& data, const std::string& path, F accepted) {
  for (size_t i = 0; i < data.size() * 8; ++i) {
    std::vector<uint8_t> d = data;
    d[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    write_all(path, d);
    RrHeader h;
    std::vector<Event> ev;
    std::string trunc;
    if (try_read(path, h, ev, trunc)) accepted(i, h, ev, trunc);
  }
}

// Flip every bit: refused, or (where the bit carries no data, e.g. the
// trailer's signature) read back as exactly the original events.
TEST(RrFile, EveryBitFlipIsDetected) {
  TempFile f("orig"), bad("flip");
  Small s = write_small(f.path());
  std::vector<uint8_t> data = read_all(f.path());
  RrReader orig(f.path());
  size_t accepted = 0;
  for_each_bit_flip(data, bad.path(), [&](size_t i, const RrHeader& h, const std::vector<Event>& ev,
                                          const std::string& trunc) {
    ++accepted;
    SCOPED_TRACE("bit " + std::to_string(i % 8) + " of byte " + std::to_string(i / 8) + " of " +
                 std::to_string(data.size()));
    EXPECT_EQ(h.fields, orig.header().fields);
    EXPECT_TRUE(ev == s.events);
    // Only the trailer's signature can go unnoticed (the file then reads
    // as one whose recorder stopped just before writing the trailer).
    EXPECT_GE(i / 8, data.size() - 8);
    EXPECT_NE(trunc, "");
  });
  EXPECT_LE(accepted, 64u);
}

// An unfinished recording: a flip may make the last block look torn
// (accepted, without it), never produce different events.
TEST(RrFile, BitFlipsInUnfinishedFile) {
  TempFile f("orig"), bad("flip");
  Small s = write_small(f.path(), /*finish=*/false);
  std::vector<uint8_t> data = read_all(f.path());
  for_each_bit_flip(data, bad.path(), [&](size_t i, const RrHeader&, const std::vector<Event>& ev,
                                          const std::string& trunc) {
    SCOPED_TRACE("bit " + std::to_string(i % 8) + " of byte " + std::to_string(i / 8));
    EXPECT_NE(trunc, "");
    bool prefix = ev.size() == 0 || ev.size() == s.block_ends[0] || ev.size() == s.block_ends[1] ||
                  ev.size() == s.block_ends[2];
    EXPECT_TRUE(prefix) << ev.size() << " events";
    EXPECT_TRUE(std::equal(ev.begin(), ev.end(), s.events.begin()));
  });
}

// Patches the header's version and, optionally, fixes up its checksum so
// that only the version is wrong.
void set_version(std::vector<uint8_t>& d, uint32_t version, bool fix_crc) {
  std::memcpy(d.data() + 8, &version, 4);
  if (!fix_crc) return;
  uint32_t body_len;
  std::memcpy(&body_len, d.data() + 12, 4);
  uint32_t c = static_cast<uint32_t>(crc32(0, d.data(), 16 + body_len));
  std::memcpy(d.data() + 16 + body_len, &c, 4);
}

TEST(RrFile, WrongVersionRefused) {
  TempFile f("orig"), bad("v");
  write_small(f.path());
  std::vector<uint8_t> data = read_all(f.path());
  {  // sanity: re-checksumming the unchanged version keeps the file valid
    std::vector<uint8_t> d = data;
    set_version(d, kRrFormatVersion, true);
    EXPECT_EQ(d, data);
  }
  for (uint32_t v : {0u, kRrFormatVersion + 1, 0x01000000u, ~0u}) {
    for (bool fix : {true, false}) {
      std::vector<uint8_t> d = data;
      set_version(d, v, fix);
      write_all(bad.path(), d);
      try {
        RrReader rr(bad.path());
        ADD_FAILURE() << "version " << v << " accepted";
      } catch (const DecodeError& e) {
        // With a valid checksum the message names the version; without, it
        // is damage.
        if (fix) {
          EXPECT_NE(std::string(e.what()).find("version " + std::to_string(v)), std::string::npos) << e.what();
        }
      }
    }
  }
}

TEST(RrFile, NotAnRrfileRefused) {
  TempFile bad("not");
  const std::vector<std::string> samples = {
      "hello, world\n",
      "\x7f" "ELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00",
      std::string("\x89RWD\r\n\x1a", 7),           // magic cut short
      std::string("\x89RWD\n\x1a\n\x00", 8),        // magic mangled by CR LF -> LF
      std::string("\x89RWD\r\n\x1a\n", 8),          // magic only
      std::string("\x89RWD\r\n\x1a\n\x01\x00\x00\x00\xff\xff\xff\x7f\x00\x00\x00\x00", 16),  // huge header
      std::string(4096, '\0'),
  };
  for (const std::string& s : samples) {
    write_all(bad.path(), reinterpret_cast<const uint8_t*>(s.data()), s.size());
    EXPECT_THROW(RrReader rr(bad.path()), DecodeError) << s.size() << " bytes";
  }
  try {
    write_all(bad.path(), reinterpret_cast<const uint8_t*>(samples[0].data()), samples[0].size());
    RrReader rr(bad.path());
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("not a rewind recording"), std::string::npos) << e.what();
  }
}

TEST(RrFile, EmptyOrMissingFileRefused) {
  TempFile empty("empty");
  write_all(empty.path(), nullptr, 0);
  EXPECT_THROW(RrReader rr(empty.path()), DecodeError);
  EXPECT_THROW(RrReader rr(empty.path() + ".does-not-exist"), DecodeError);
}

// The event cursor checks each record against the block it is in.
TEST(RrFile, CursorRefusesMalformedRecords) {
  RrBlockInfo info;
  info.first_icount = ~0ull - 5;
  info.last_icount = ~0ull;
  info.events = 1;
  auto events_of = [&](const std::vector<uint8_t>& raw) {
    RrEventCursor cur(raw, info);
    uint8_t k;
    uint64_t ic;
    std::vector<uint8_t> p;
    size_t n = 0;
    while (cur.next(k, ic, p)) ++n;
    return n;
  };
  EXPECT_EQ(events_of({1, 5, 0}), 1u);                       // icount ~0 - 0: fine
  EXPECT_THROW(events_of({1, 6, 0}), DecodeError);         // icount overflows
  EXPECT_THROW(events_of({1, 0, 3, 1, 2}), DecodeError);   // payload longer than the block
  EXPECT_THROW(events_of({1, 0x80}), DecodeError);         // varint cut short
  EXPECT_THROW(events_of({1}), DecodeError);               // record cut short
  std::vector<uint8_t> long_varint = {1};
  for (int i = 0; i < 10; ++i) long_varint.push_back(0xff);
  long_varint.push_back(0);
  EXPECT_THROW(events_of(long_varint), DecodeError);       // more than 64 bits
  EXPECT_THROW(events_of({1, 5, 0, 1, 0, 0}), DecodeError);  // more events than the header says
  info.events = 2;
  EXPECT_THROW(events_of({1, 5, 0}), DecodeError);         // fewer events than the header says
  info.events = 1;
  info.last_icount = ~0ull - 1;
  EXPECT_THROW(events_of({1, 5, 0}), DecodeError);         // last icount differs from the header
}

// --- bounded reading, non-regular files --------------------------------------

// Runs `body` in a child process with its address space limited (so that a
// reader that slurps a huge file fails fast instead of exhausting the
// host) and an alarm (a reader blocked on a FIFO, or reading forever).
// Returns the child's exit status (0: body returned true), or 128 + signal;
// `grew_kib` is how much the child's peak RSS grew while body ran.
int in_child(const std::function<bool()>& body, long* grew_kib = nullptr) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(pipefd[0]);
#if !defined(__SANITIZE_ADDRESS__)
    rlimit lim{1ul << 30, 1ul << 30};  // 1 GiB of address space
    setrlimit(RLIMIT_AS, &lim);
#endif
    alarm(20);
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    bool ok = false;
    try {
      ok = body();
    } catch (...) {
      _exit(2);
    }
    getrusage(RUSAGE_SELF, &after);
    long grew = after.ru_maxrss - before.ru_maxrss;
    if (write(pipefd[1], &grew, sizeof grew) != sizeof grew) _exit(4);
    _exit(ok ? 0 : 1);
  }
  close(pipefd[1]);
  long grew = -1;
  if (read(pipefd[0], &grew, sizeof grew) != sizeof grew) grew = -1;
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (grew_kib) *grew_kib = grew;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The reader refuses `path` with one line naming it and containing `want`.
bool refused_with(const std::string& path, const std::string& want) {
  try {
    RrReader rr(path);
  } catch (const DecodeError& e) {
    std::string m = e.what();
    return m.find(want) != std::string::npos && m.find(path) != std::string::npos && m.find('\n') == std::string::npos;
  }
  return false;
}

TEST(RrFile, NonRegularFilesRefusedBeforeReading) {
  // /dev/zero and /dev/urandom never end; a directory has no bytes; opening a
  // FIFO for reading would wait for a writer, and reading it would wait
  // forever.
  for (const char* dev : {"/dev/zero", "/dev/urandom"}) {
    EXPECT_EQ(in_child([&] { return refused_with(dev, "is not a regular file"); }), 0) << dev;
  }
  std::string dir = ::testing::TempDir() + "rrfile_test_dir_" + std::to_string(getpid());
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  EXPECT_EQ(in_child([&] { return refused_with(dir, "is not a regular file (a directory)"); }), 0);
  rmdir(dir.c_str());
  std::string fifo = ::testing::TempDir() + "rrfile_test_fifo_" + std::to_string(getpid());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(in_child([&] { return refused_with(fifo, "is not a regular file (a FIFO)"); }), 0);
  unlink(fifo.c_str());
}

// A 3 GB sparse file (all zeros) is refused at its magic, reading a few
// bytes: the reader's memory does not follow the file's size.
TEST(RrFile, HugeFileRefusedAtTheHeaderWithoutReadingIt) {
  TempFile f("sparse");
  int fd = ::open(f.path().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 3ll << 30), 0);
  close(fd);
  long grew = 0;
  EXPECT_EQ(in_child([&] { return refused_with(f.path(), "not a rewind recording"); }, &grew), 0);
  EXPECT_LT(grew, 16 * 1024) << "KiB";
  // A valid header followed by a hole: refused at the first block.
  TempFile g("hole");
  { RrWriter w(g.path(), test_header()); }
  ASSERT_EQ(truncate(g.path().c_str(), 3ll << 30), 0);
  EXPECT_EQ(in_child([&] { return refused_with(g.path(), "bad block signature"); }, &grew), 0);
  EXPECT_LT(grew, 16 * 1024) << "KiB";
}

// A recording of 24 MB of incompressible events: validating it and reading
// every block needs a few block buffers, not the file.
TEST(RrFile, ReaderMemoryIsBoundedByTheBlockSize) {
  TempFile f("big");
  std::mt19937_64 rng(7);
  const size_t kEvents = 28, kPayload = 900 * 1024;
  {
    RrWriter w(f.path(), test_header());
    std::vector<uint8_t> payload(kPayload);
    for (size_t i = 0; i < kEvents; ++i) {
      for (size_t k = 0; k < payload.size(); k += 8) {
        uint64_t r = rng();
        std::memcpy(payload.data() + k, &r, std::min<size_t>(8, payload.size() - k));
      }
      w.append(3, 100 * i, payload.data(), payload.size());
    }
    w.finish(100 * kEvents);
  }
  struct stat st;
  ASSERT_EQ(stat(f.path().c_str(), &st), 0);
  ASSERT_GT(st.st_size, 24 << 20);
  long grew = 0;
  EXPECT_EQ(in_child(
                [&] {
                  RrReader rr(f.path());
                  size_t n = 0;
                  for (size_t b = 0; b < rr.blocks().size(); ++b) n += rr.read_block(b).size();
                  return rr.blocks().size() == kEvents && rr.truncation().empty() && n > kEvents * kPayload;
                },
                &grew),
            0);
  // At most a block's compressed and raw bytes, and the cursor's copy.
  EXPECT_LT(grew, 8 * 1024) << "KiB";
}

size_t open_fds() {
  size_t n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++n;
    closedir(d);
  }
  return n;
}

// A refused file is closed (the fuzzer ran out of descriptors when it was
// not): refused at the magic, in the header, in the blocks, at the index.
TEST(RrFile, RefusedFilesAreClosed) {
  TempFile f("orig"), bad("bad");
  write_small(f.path());
  std::vector<uint8_t> data = read_all(f.path());
  const size_t before = open_fds();
  for (size_t at : {size_t{0}, size_t{12}, size_t{20}, data.size() / 2, data.size() - 20}) {
    std::vector<uint8_t> d = data;
    d[at] ^= 0x40;
    write_all(bad.path(), d);
    for (int i = 0; i < 20; ++i) EXPECT_THROW(RrReader rr(bad.path()), DecodeError) << "byte " << at;
  }
  EXPECT_THROW(RrReader rr("/dev/null"), DecodeError);
  { RrReader ok(f.path()); }
  EXPECT_EQ(open_fds(), before);
}

// --- the trailer and the index ------------------------------------------------

// Bytes appended to a finished recording: the file claims to be complete
// and is not what was written.
TEST(RrFile, GarbageAfterTheTrailerRefused) {
  TempFile f("orig"), bad("junk");
  write_small(f.path());
  std::vector<uint8_t> data = read_all(f.path());
  for (const std::string& junk : {std::string("x"), std::string(100, '\0'), std::string("RWDTRAIL"),
                                  std::string(reinterpret_cast<const char*>(data.data()), data.size())}) {
    std::vector<uint8_t> d = data;
    d.insert(d.end(), junk.begin(), junk.end());
    write_all(bad.path(), d);
    try {
      RrReader rr(bad.path());
      ADD_FAILURE() << junk.size() << " bytes after the trailer accepted (truncation: " << rr.truncation() << ")";
    } catch (const DecodeError& e) {
      // (Junk that ends like a trailer is refused as a corrupt trailer or index.)
      if (junk.size() < 8 || junk.compare(junk.size() - 8, 8, "RWDTRAIL") != 0) {
        EXPECT_NE(std::string(e.what()).find("after the end-of-recording trailer"), std::string::npos) << e.what();
      }
    }
  }
}

// A recording as rewind writes it: a full header, a few events, the end.
RrHeader rewind_header() {
  RrHeader h;
  h.fields["build"] = "rewind 0.1.0";
  h.fields["config"] = "machine=virt\nram=134217728\n";
  h.fields["cmdline"] = "rewind -M virt";
  h.fields["seed"] = "18446744073709551615";
  h.fields["check-interval"] = "10000000";
  h.fields["host-endian"] = "little";
  h.fields["created"] = "2024-05-06T07:08:09Z";
  return h;
}

void append_event(RrWriter& w, const rwd::Event& e) {
  ByteWriter p;
  encode_payload(e, p);
  w.append(static_cast<uint8_t>(static_cast<uint8_t>(e.kind) | (e.batch_start ? kBatchStart : 0)), e.icount,
           p.data().data(), p.size());
}

void write_recording(const std::string& path, uint8_t end_reason = 0, uint64_t final_icount = 3000) {
  RrWriter w(path, rewind_header());
  rwd::Event clock;
  clock.kind = EventKind::kClockRead;
  clock.icount = 1000;
  clock.f[0].s = 1700000000000000000;
  append_event(w, clock);
  w.flush();
  rwd::Event end;
  end.kind = EventKind::kEnd;
  end.batch_start = true;
  end.icount = 3000;
  end.f[0].u = end_reason;
  end.f[1].s = 0;
  append_event(w, end);
  w.finish(final_icount);
}

// Sets the index's final instruction count and repairs the index checksum.
void set_final_icount(std::vector<uint8_t>& d, uint64_t final_icount) {
  uint64_t index_offset;
  std::memcpy(&index_offset, d.data() + d.size() - 16, 8);
  uint32_t n;
  std::memcpy(&n, d.data() + index_offset + 4, 4);
  uint64_t at = index_offset + 8 + 40ull * n + 8;
  std::memcpy(d.data() + at, &final_icount, 8);
  uint32_t c = static_cast<uint32_t>(crc32(0, d.data() + index_offset, static_cast<uInt>(at + 8 - index_offset)));
  std::memcpy(d.data() + at + 8, &c, 4);
}

TEST(RrFile, FinishedRecordingEndsAtTheIndexFinalIcount) {
  TempFile f("rec"), bad("final");
  write_recording(f.path());
  {
    RrReader rr(f.path());
    EXPECT_NO_THROW(check_recording_end(rr));
    EXPECT_EQ(rr.final_icount(), 3000u);
  }
  std::vector<uint8_t> data = read_all(f.path());
  for (uint64_t final_icount : {2999ull, 3001ull, 1ull << 40, ~0ull}) {
    std::vector<uint8_t> d = data;
    set_final_icount(d, final_icount);
    write_all(bad.path(), d);
    SCOPED_TRACE("final icount " + std::to_string(final_icount));
    try {
      RrReader rr(bad.path());  // the container alone may accept it (icounts only grow)
      check_recording_end(rr);
      ADD_FAILURE() << "accepted";
    } catch (const DecodeError& e) {
      EXPECT_NE(std::string(e.what()).find(bad.path()), std::string::npos) << e.what();
    }
  }
  // The same final icount, re-checksummed: still fine (the patch is exact).
  std::vector<uint8_t> d = data;
  set_final_icount(d, 3000);
  EXPECT_EQ(d, data);
  // A finished recording that does not end with its end event.
  TempFile noend("noend");
  {
    RrWriter w(noend.path(), rewind_header());
    uint8_t x[5] = {0, 0, 0, 0, 0};
    w.append(static_cast<uint8_t>(EventKind::kIdleWarp) | kBatchStart, 10, x, sizeof x);
    w.finish(10);
  }
  RrReader rr(noend.path());
  try {
    check_recording_end(rr);
    ADD_FAILURE() << "accepted";
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("last event is idle-warp, not end"), std::string::npos) << e.what();
  }
}

// An end reason this rewind does not know (200): the container is fine,
// the payload is refused by the event codec, naming the field.
TEST(RrFile, UnknownEndReasonRefusedByTheCodec) {
  TempFile f("reason");
  write_recording(f.path(), 200);
  RrReader rr(f.path());
  ASSERT_EQ(rr.blocks().size(), 2u);
  std::vector<uint8_t> raw = rr.read_block(1);
  RrEventCursor cur(raw, rr.blocks()[1]);
  uint8_t kind;
  uint64_t icount;
  std::vector<uint8_t> payload;
  ASSERT_TRUE(cur.next(kind, icount, payload));
  try {
    decode_event(kind, icount, payload);
    ADD_FAILURE() << "end reason 200 decoded";
  } catch (const DecodeError& e) {
    EXPECT_EQ(std::string(e.what()), "end event, field 'reason': unknown end reason 200");
  }
  try {
    check_recording_end(rr);  // what rewind and rewind-dump do before anything else
    ADD_FAILURE() << "end reason 200 accepted";
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown end reason 200"), std::string::npos) << e.what();
  }
}

// --- header fields ---------------------------------------------------------------

TEST(RrFile, RecordingHeaderFieldsValidated) {
  RrRecordingHeader ok = validate_recording_header("x.rr", rewind_header());
  EXPECT_EQ(ok.seed, ~0ull);
  EXPECT_EQ(ok.check_interval, 10000000u);
  EXPECT_EQ(ok.build, "rewind 0.1.0");
  RrHeader zero = rewind_header();
  zero.fields["seed"] = "0";
  zero.fields["check-interval"] = "0";
  EXPECT_EQ(validate_recording_header("x.rr", zero).seed, 0u);
  // Files from before page-hash existed hashed pages with hash_bytes.
  EXPECT_EQ(ok.page_hash, PageHash::kWords);
  zero.fields["page-hash"] = "lanes";
  EXPECT_EQ(validate_recording_header("x.rr", zero).page_hash, PageHash::kLanes);
  struct Bad {
    const char* field;
    std::string value;  // "\x01" (a lone byte): remove the field
    const char* message;
  };
  const Bad cases[] = {
      {"seed", "18446744073709551616", "header field 'seed' is not a 64-bit number"},
      {"seed", "12345678901234567890123456", "header field 'seed' is not a 64-bit number"},
      {"seed", "-1", "header field 'seed' is not a 64-bit number"},
      {"seed", "", "header field 'seed' is not a 64-bit number"},
      {"seed", " 5", "header field 'seed' is not a 64-bit number"},
      {"seed", "0x10", "header field 'seed' is not a 64-bit number"},
      {"seed", "\x01", "header field 'seed' is missing"},
      {"check-interval", "-5", "header field 'check-interval' is not a number of instructions ('-5')"},
      {"check-interval", "ten", "header field 'check-interval' is not a number of instructions"},
      {"check-interval", "99999999999999999999999", "header field 'check-interval' is not a number"},
      {"check-interval", "\x01", "header field 'check-interval' is missing"},
      {"host-endian", "big", "header field 'host-endian' is 'big'"},
      {"host-endian", "\x01", "header field 'host-endian' is missing"},
      {"build", "\x01", "header field 'build' is missing"},
      {"build", "", "header field 'build' is empty"},
      {"config", "\x01", "header field 'config' is missing"},
      {"page-hash", "crc32", "header field 'page-hash' names a hash this rewind does not know ('crc32')"},
      {"page-hash", "", "header field 'page-hash' names a hash this rewind does not know ('')"},
  };
  for (const Bad& c : cases) {
    RrHeader h = rewind_header();
    if (c.value == "\x01") h.fields.erase(c.field);
    else h.fields[c.field] = c.value;
    SCOPED_TRACE(std::string(c.field) + "=" + c.value);
    try {
      validate_recording_header("x.rr", h);
      ADD_FAILURE() << "accepted";
    } catch (const DecodeError& e) {
      std::string m = e.what();
      EXPECT_EQ(m.rfind("rrfile 'x.rr': " + std::string(c.message), 0), 0u) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
  }
}

// host-endian is about the container's integers: the reader itself refuses
// a big-endian recording.
TEST(RrFile, BigEndianRecordingRefusedByTheReader) {
  TempFile f("big");
  RrHeader h = rewind_header();
  h.fields["host-endian"] = "big";
  { RrWriter w(f.path(), h); w.finish(0); }
  EXPECT_TRUE(refused_with(f.path(), "header field 'host-endian' is 'big'"));
}

}  // namespace
}  // namespace rwd
