// Fuzz target for the rrfile reader (replay/rrfile.{h,cc}): the input is
// taken as a whole rrfile and put through everything a consumer does with
// one: RrReader's up-front validation, the recording checks rewind and
// rewind-dump make (validate_recording_header, check_recording_end),
// read_block for every block, the event cursor over every event, and the
// payload decoding and text rewind-dump and the replay use (decode_event(),
// event_text(), event_json_fields(), replay/event_codec.cc). DecodeError is
// the one acceptable way to refuse input; anything else (a crash, a
// sanitizer report, another exception, a hang) is a bug.
//
// Three modes, by the input's first byte:
//  - 'S': structured. The rest is a sequence of items (u8 kind byte, u8
//    control, varint icount delta, varint payload length, payload) written
//    with RrWriter into a valid file (valid framing and checksums), then read
//    back: every payload reaches decode_event() inside a valid container, and
//    what is read back must be exactly what was written (see run_structured).
//  - anything else: the input as a whole rrfile, then the same with its
//    checksums repaired, then as the bare events of one block.
//
// Two builds of this file:
//  - libFuzzer (clang -fsanitize=fuzzer,...): meson -Dfuzzer=true, see
//    tests/fuzz/build-and-run.sh;
//  - RWD_FUZZ_STANDALONE (any compiler): a main() that runs every file of the
//    directories/files given once (the corpus regression test in meson), and
//    `--make-seeds DIR` that writes small seed recordings with RrWriter.
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "util/byte_codec.h"
#include "replay/event_codec.h"
#include "replay/events.h"
#include "replay/rrfile.h"

using namespace rwd;

namespace {

// --- the target ------------------------------------------------------------

volatile size_t g_sink;

// Everything a reader of `path` does, as rewind-dump does it. Returns the
// number of events decoded; throws DecodeError on refused input. With
// `each_event`, a malformed payload does not stop the walk: the next events
// are decoded too (the structured mode writes many bad payloads).
uint64_t consume(const std::string& path, bool each_event = false) {
  RrReader rr(path);
  uint64_t n = 0;
  size_t sink = rr.truncation().size() + rr.header().fields.size();
  for (auto& [k, v] : rr.header().fields) sink += k.size() + v.size();
  // What rewind and rewind-dump check before anything else; refusals here
  // must not hide the rest of the file from the fuzzer.
  try {
    RrRecordingHeader h = validate_recording_header(path, rr.header());
    sink += h.seed + h.check_interval;
  } catch (const DecodeError&) {
  }
  try {
    check_recording_end(rr);
  } catch (const DecodeError&) {
  }
  for (size_t b = 0; b < rr.blocks().size(); ++b) {
    const RrBlockInfo& info = rr.blocks()[b];
    std::vector<uint8_t> raw = rr.read_block(b);
    if (raw.size() != info.raw_len) std::abort();  // read_block promises raw_len bytes
    RrEventCursor cur(raw, info);
    uint8_t kb;
    uint64_t icount, prev = info.first_icount;
    std::vector<uint8_t> payload;
    while (cur.next(kb, icount, payload)) {
      if (icount < prev) std::abort();  // deltas are unsigned: icounts never decrease
      prev = icount;
      try {
        Event e = decode_event(kb, icount, payload);
        sink += event_text(e).size() + event_json_fields(e).size() + e.check;
        ++n;
      } catch (const DecodeError&) {
        if (!each_event) throw;
      }
    }
  }
  g_sink = g_sink + sink;  // keep the work observable
  return n;
}

// The input goes to a memfd, read back through /proc/self/fd: RrReader
// takes a path, and this needs no temp directory and leaves nothing behind.
const std::string& input_path() {
  static std::string path = [] {
    int fd = memfd_create("rrfile_fuzz", MFD_CLOEXEC);
    if (fd < 0) {
      std::perror("memfd_create");
      std::abort();
    }
    return "/proc/self/fd/" + std::to_string(fd);
  }();
  return path;
}

void set_input(const uint8_t* data, size_t size) {
  const std::string& path = input_path();
  int fd = std::atoi(path.c_str() + std::strlen("/proc/self/fd/"));
  if (ftruncate(fd, 0) != 0) std::abort();
  size_t done = 0;
  while (done < size) {
    ssize_t k = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (k <= 0) std::abort();
    done += static_cast<size_t>(k);
  }
}

// Mutated files almost never pass the CRC-32 checks, so the checks behind
// them (block order, icounts, the index, the zlib stream, the events) would
// be reached only rarely. This rewrites every checksum the reader will
// verify — header, each block along the reader's walk, the index — so a
// second pass over the repaired input explores those. Best effort: it
// mirrors the layout, not every rule of the reader.
constexpr uint8_t kMagic[8] = {0x89, 'R', 'W', 'D', '\r', '\n', 0x1a, '\n'};

uint32_t crc(const uint8_t* p, size_t n, uint32_t start = 0) {
  return static_cast<uint32_t>(crc32(start, p, static_cast<uInt>(n)));
}

bool repair_crcs(std::vector<uint8_t>& d) {
  if (d.size() < 20 || std::memcmp(d.data(), kMagic, 8) != 0) return false;
  uint32_t body_len;
  std::memcpy(&body_len, d.data() + 12, 4);
  if (body_len + 20ull > d.size()) return false;
  uint32_t c = crc(d.data(), 16 + body_len);
  std::memcpy(d.data() + 16 + body_len, &c, 4);
  size_t end = d.size();
  if (d.size() >= 16 && std::memcmp(d.data() + d.size() - 8, "RWDTRAIL", 8) == 0) {
    uint64_t index_offset;
    std::memcpy(&index_offset, d.data() + d.size() - 16, 8);
    if (d.size() >= 44 && index_offset >= 20ull + body_len && index_offset <= d.size() - 44) {
      end = index_offset;
      size_t len = d.size() - 16 - index_offset;
      c = crc(d.data() + index_offset, len - 4);
      std::memcpy(d.data() + index_offset + len - 4, &c, 4);
    }
  }
  size_t pos = 20 + body_len;
  while (pos + 40 <= end && std::memcmp(d.data() + pos, "RBLK", 4) == 0) {
    uint32_t clen;
    std::memcpy(&clen, d.data() + pos + 8, 4);
    if (clen > end - pos - 40) break;
    c = crc(d.data() + pos + 40, clen, crc(d.data() + pos, 36));
    std::memcpy(d.data() + pos + 36, &c, 4);
    pos += 40 + clen;
  }
  return true;
}

void run_file(const uint8_t* data, size_t size) {
  set_input(data, size);
  try {
    consume(input_path());
  } catch (const DecodeError&) {
    // Refused: the one acceptable outcome for bad input.
  }
}

// The input as the uncompressed events of one block: the event cursor and
// the payload parsing, without the container around them.
void run_events(const uint8_t* data, size_t size) {
  if (size == 0 || size > kRrMaxRawBlock) return;
  std::vector<uint8_t> raw(data, data + size);
  RrBlockInfo info;
  info.raw_len = static_cast<uint32_t>(size);
  info.first_icount = size > 8 ? static_cast<uint64_t>(data[0]) << 56 : 0;  // near overflow sometimes
  try {
    RrEventCursor cur(raw, info);
    uint8_t kb;
    uint64_t icount;
    std::vector<uint8_t> payload;
    while (cur.next(kb, icount, payload)) {
      try {
        Event e = decode_event(kb, icount, payload);
        g_sink = g_sink + event_text(e).size() + event_json_fields(e).size() + e.check;
      } catch (const DecodeError&) {
        // one malformed payload: go on with the next event
      }
    }
  } catch (const DecodeError&) {
  }
}

// The header of every structured-mode file: what rewind writes, so that
// validate_recording_header() passes and the events are what is tested.
RrHeader rewind_header() {
  RrHeader h;
  h.fields["build"] = "rewind 0.1.0";
  h.fields["config"] = "machine=virt\nram=134217728\n";
  h.fields["cmdline"] = "rewind -M virt -icount shift=0,rr=record,rrfile=x.rr";
  h.fields["seed"] = "42";
  h.fields["check-interval"] = "10000000";
  h.fields["host-endian"] = "little";
  h.fields["created"] = "2024-01-01T00:00:00Z";
  return h;
}

// Structured mode: items of (u8 kind byte, u8 control, varint icount delta,
// varint payload length, payload bytes) become the events of a valid file.
// control bit 0: flush the block before this event; bit 1 (of the last
// item's control): leave the file unfinished (no index). The file is then
// read back: RrReader must accept it, and return exactly the events written
// (a difference is a writer or reader bug: abort); the payloads go through
// decode_event and the text and JSON dumps, a malformed one refused alone.
struct StructuredItem {
  uint8_t kind;
  uint64_t icount;
  std::vector<uint8_t> payload;
};

// Writes the structured-mode file for `data` to `path`; returns the events
// written, and whether the file was finished.
std::vector<StructuredItem> write_structured(const uint8_t* data, size_t size, const std::string& path,
                                             bool& finish) {
  std::vector<StructuredItem> items;
  std::vector<uint8_t> controls;
  ByteReader in(data, size);
  uint64_t icount = 0;
  try {
    while (!in.at_end()) {
      StructuredItem it;
      it.kind = in.u8();
      uint8_t control = in.at_end() ? 0 : in.u8();
      uint64_t delta = in.at_end() ? 0 : in.varint();
      uint64_t len = in.at_end() ? 0 : in.varint();
      // The payload is what is left, at most, and fits a block.
      len = std::min<uint64_t>({len, in.left(), kRrMaxRawBlock - 64});
      it.payload.resize(static_cast<size_t>(len));
      in.bytes(it.payload.data(), it.payload.size());
      icount = delta > ~0ull - icount ? ~0ull : icount + delta;
      it.icount = icount;
      items.push_back(std::move(it));
      controls.push_back(control);
    }
  } catch (const DecodeError&) {
    // The input's own framing ran out (a varint cut short): the items so far.
  }
  finish = controls.empty() || !(controls.back() & 2);
  RrWriter w(path, rewind_header());
  for (size_t i = 0; i < items.size(); ++i) {
    if (controls[i] & 1) w.flush();
    w.append(items[i].kind, items[i].icount, items[i].payload.data(), items[i].payload.size());
  }
  if (finish) w.finish(icount);
  else w.flush();
  return items;
}

void run_structured(const uint8_t* data, size_t size) {
  bool finish = true;
  std::vector<StructuredItem> items = write_structured(data, size, input_path(), finish);
  const std::string& path = input_path();
  try {
    RrReader rr(path);
    size_t i = 0;
    for (size_t b = 0; b < rr.blocks().size(); ++b) {
      std::vector<uint8_t> raw = rr.read_block(b);
      RrEventCursor cur(raw, rr.blocks()[b]);
      uint8_t kb;
      uint64_t icount;
      std::vector<uint8_t> payload;
      while (cur.next(kb, icount, payload)) {
        if (i >= items.size() || kb != items[i].kind || icount != items[i].icount || payload != items[i].payload) {
          std::fprintf(stderr, "structured mode: event %zu does not read back as written\n", i);
          std::abort();
        }
        ++i;
      }
    }
    if (i != items.size() || rr.truncation().empty() != finish) {
      std::fprintf(stderr, "structured mode: %zu of %zu events read back\n", i, items.size());
      std::abort();
    }
  } catch (const DecodeError& e) {
    std::fprintf(stderr, "structured mode: a file RrWriter wrote is refused: %s\n", e.what());
    std::abort();
  }
  try {
    consume(path, /*each_event=*/true);
  } catch (const DecodeError& e) {
    std::fprintf(stderr, "structured mode: %s\n", e.what());
    std::abort();  // the container is valid, and each payload's error is caught
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 0 && data[0] == 'S') {
    run_structured(data + 1, size - 1);
    return 0;
  }
  run_file(data, size);
  std::vector<uint8_t> repaired(data, data + size);
  if (repair_crcs(repaired) && std::memcmp(repaired.data(), data, size) != 0)
    run_file(repaired.data(), repaired.size());
  run_events(data, size);
  return 0;
}

#ifdef RWD_FUZZ_STANDALONE
#include <fstream>

#include "corpus_runner.h"

namespace {

// Seed recordings: small, valid (or cleanly truncated) rrfiles covering
// every event kind, several blocks, a file without an index, a torn block.
void make_seeds(const std::string& dir) {
  RrHeader h;
  h.fields["rewind"] = "0.1.0";
  h.fields["created"] = "2024-01-01T00:00:00Z";
  h.fields["machine"] = "virt";
  h.fields["config"] = "-M virt\n-icount shift=0\n";
  auto ev = [](RrWriter& w, EventKind k, uint64_t icount, const ByteWriter& p, bool batch) {
    ByteWriter q = p;
    q.u32(0x12345678);  // the quick check that follows each payload
    w.append(static_cast<uint8_t>(static_cast<uint8_t>(k) | (batch ? kBatchStart : 0)), icount,
             q.buffer().data(), q.size());
  };
  auto all_kinds = [&](RrWriter& w, uint64_t base) {
    ByteWriter p;
    p.svarint(1700000000123456789ll);
    ev(w, EventKind::kClockRead, base + 10, p, false);
    p.clear();
    p.svarint(-3600);
    ev(w, EventKind::kUtcOffset, base + 10, p, false);
    p.clear();
    uint8_t ent[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    p.blob(ent, sizeof ent);
    ev(w, EventKind::kEntropy, base + 20, p, false);
    p.clear();
    p.u8(0);
    p.str("ls\r");
    ev(w, EventKind::kCharInput, base + 100, p, true);
    p.clear();
    p.varint(1000000);
    ev(w, EventKind::kIdleWarp, base + 100, p, false);
    p.clear();
    ev(w, EventKind::kReset, base + 200, p, true);
    p.clear();
    // A checkpoint: 112 CPU values, one named value, RAM hash, one block
    // with two changed pages.
    p.varint(112);
    for (unsigned i = 0; i < 112; ++i) p.varint(i == 63 ? 0x80000000u : i * 3);
    p.varint(1);
    p.str("vclock");
    p.u64(123456);
    p.u64(0xdeadbeefcafef00dull);
    p.varint(1);
    p.varint(2);
    p.varint(0);
    p.u32(0x11111111);
    p.varint(5);
    p.u32(0x22222222);
    ev(w, EventKind::kCheckpoint, base + 300, p, true);
  };
  auto end = [&](RrWriter& w, uint64_t icount) {
    ByteWriter p;
    p.u8(static_cast<uint8_t>(EndReason::kGuestShutdown));
    p.svarint(0);
    ev(w, EventKind::kEnd, icount, p, true);
  };
  {  // complete, one block, every kind
    RrWriter w(dir + "/seed-complete.rr", h);
    all_kinds(w, 0);
    end(w, 400);
    w.finish(400);
  }
  {  // complete, three blocks
    RrWriter w(dir + "/seed-blocks.rr", h);
    for (int b = 0; b < 3; ++b) {
      all_kinds(w, 1000u * b);
      w.flush();
    }
    end(w, 5000);
    w.finish(5000);
  }
  {  // no events at all
    RrWriter w(dir + "/seed-empty.rr", h);
    w.finish(0);
  }
  {  // the recorder was killed: two flushed blocks, no index
    RrWriter w(dir + "/seed-killed.rr", h);
    all_kinds(w, 0);
    w.flush();
    all_kinds(w, 1000);
    w.flush();
  }
  // Structured-mode seeds ('S', then items): every kind with a valid
  // payload, as the recorder encodes it.
  auto item = [](ByteWriter& out, const Event& e, uint8_t control, uint64_t delta) {
    ByteWriter p;
    encode_payload(e, p);
    out.u8(static_cast<uint8_t>(static_cast<uint8_t>(e.kind) | (e.batch_start ? kBatchStart : 0)));
    out.u8(control);
    out.varint(delta);
    out.blob(p.data().data(), p.size());
  };
  auto write_seed = [&](const std::string& name, const ByteWriter& b) {
    std::ofstream out(dir + "/" + name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(b.data().data()), static_cast<std::streamsize>(b.size()));
  };
  {
    ByteWriter all;
    all.u8('S');
    Event end_event;
    for_each_event_kind([&](EventKind k, const EventSpec& spec) {
      Event e;
      e.kind = k;
      e.batch_start = spec.family != EventFamily::kSync;
      e.check = 0x12345678;
      for (unsigned i = 0; i < spec.field_count(); ++i) {
        switch (spec.fields[i].type) {
          case FieldType::kU8: e.f[i].u = 1; break;
          case FieldType::kVarint: e.f[i].u = 1000000; break;
          case FieldType::kSvarint: e.f[i].s = -3600; break;
          case FieldType::kHostTimeNs: e.f[i].s = 1700000000123456789ll; break;
          case FieldType::kBlob: e.f[i].bytes = {'l', 's', '\r', 0, 0xff}; break;
          case FieldType::kEndReason: e.f[i].u = static_cast<uint8_t>(EndReason::kInsnLimit); break;
          case FieldType::kCheckpoint: {
            Checkpoint c;
            for (unsigned v = 0; v < 114; ++v) c.cpu.push_back(v == 63 ? 0x80000000u : v * 3);
            c.extra.emplace_back("virtual clock (ns)", 123456);
            c.ram_hash = 0xdeadbeefcafef00dull;
            c.pages = {{{0, 0x11111111}, {5, 0x22222222}}, {}};
            e.checkpoint = c;
            break;
          }
          case FieldType::kNone: break;
        }
      }
      if (k == EventKind::kEnd) end_event = e;
      else item(all, e, k == EventKind::kIdleWarp ? 1 : 0, 10);
    });
    item(all, end_event, 0, 10);  // the end is the last event
    write_seed("struct-all-kinds", all);
    ByteWriter unfinished;  // two blocks, no index
    unfinished.u8('S');
    Event clock;
    clock.kind = EventKind::kClockRead;
    clock.f[0].s = 1;
    item(unfinished, clock, 0, 5);
    item(unfinished, clock, 3, 0);
    write_seed("struct-unfinished", unfinished);
  }
  {  // a torn last block: cut a complete three-block file inside its last block
    std::ifstream in(dir + "/seed-blocks.rr", std::ios::binary);
    std::vector<char> d((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    RrReader rr(dir + "/seed-blocks.rr");
    size_t cut = rr.blocks().back().offset + 50;
    std::ofstream out(dir + "/seed-torn.rr", std::ios::binary);
    out.write(d.data(), static_cast<std::streamsize>(std::min(cut, d.size())));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--make-seeds") == 0) {
    make_seeds(argv[2]);
    return 0;
  }
  if (argc == 4 && std::strcmp(argv[1], "--write-structured") == 0) {
    // The rrfile a structured-mode input ('S'...) becomes, for rewind-dump.
    std::vector<uint8_t> data;
    std::string err;
    if (!read_whole_file(argv[2], data, err) || data.empty() || data[0] != 'S') {
      std::fprintf(stderr, "%s: not a structured-mode input\n", argv[2]);
      return 1;
    }
    bool finish;
    write_structured(data.data() + 1, data.size() - 1, argv[3], finish);
    return 0;
  }
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR|FILE...   (runs each input once)\n       %s --make-seeds DIR\n"
                 "       %s --write-structured INPUT FILE.rr\n",
                 argv[0], argv[0], argv[0]);
    return 2;
  }
  return rwd::fuzz::run_corpus(argc, argv);
}
#endif
