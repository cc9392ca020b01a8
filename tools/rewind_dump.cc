// rewind-dump: prints an rrfile — its header, then every event with the
// instruction count it is pinned to and a summary of its payload (in the
// spirit of PANDA's rr_print and QEMU's replay-dump.py). --stats counts
// events and bytes per kind (the same counts and text as the summary rewind
// prints after a recording or a replay: replay/event_stats.h); --json
// prints the same as one JSON document. --from N, --to M and --kind
// NAME[,NAME] select the events every output looks at. --timeline OUT.html
// draws them (tools/timeline_html.h, docs/recording-timeline.md).
// A damaged file gets the same one-line diagnosis rewind itself gives.
// Network frames (net-frame events) get a protocol summary; --pcap OUT
// writes them to a pcap file, stamped with the guest's virtual time
// (instructions << shift plus idle warps) after the recording's date.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "migration/snapshot_store.h"
#include "net/frame_summary.h"
#include "ui/input.h"
#include "net/pcap_writer.h"
#include "replay/event_codec.h"
#include "replay/event_stats.h"
#include "replay/events.h"
#include "replay/rrfile.h"
#include "tools/event_filter.h"
#include "tools/timeline_html.h"

using namespace rwd;

namespace {

int usage(FILE* out = stderr) {
  std::fprintf(out,
               "usage: rewind-dump [--stats] [--json] [--pcap OUT.pcap] [--timeline OUT.html]\n"
               "                   [--from N] [--to M] [--kind NAME[,NAME...]] FILE.rr\n"
               "  --stats            events and payload bytes per kind\n"
               "  --json             everything as one JSON document\n"
               "  --pcap OUT.pcap    the network frames towards the guest, as a pcap file\n"
               "  --timeline OUT.html  the recording drawn over instruction count (one self-contained page)\n"
               "  --from N, --to M   only events at instruction counts N..M (both included)\n"
               "  --kind NAME,...    only events of these kinds:");
  for_each_event_kind([&](EventKind, const EventSpec& spec) { std::fprintf(out, " %s", spec.name); });
  std::fprintf(out, "\n");
  return 2;
}

int option_error(const std::string& message) {
  std::fprintf(stderr, "rewind-dump: %s\n", message.c_str());
  return 2;
}

bool parse_count(const std::string& s, uint64_t& out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  out = std::strtoull(s.c_str(), nullptr, 10);
  return errno == 0;
}

// The payload summary rewind-dump shows for an event, network frames decoded.
std::string frame_text(const Event& e) {
  if (e.kind == EventKind::kInputEvents) {  // keyboard and pointer batches, decoded
    std::vector<InputEvent> batch;
    const std::vector<uint8_t>& b = e.f[1].bytes;
    return InputRouter::decode(b.data(), b.size(), batch) ? "  " + InputRouter::describe(batch) : "  (malformed)";
  }
  if (e.kind != EventKind::kNetFrame) return "";
  return "  " + escape_text(frame_summary(e.f[1].bytes.data(), e.f[1].bytes.size()));
}

// RRFILE.snapshots (rrsnapshot=, savevm while recording), for the timeline's
// marks. A damaged store is reported and left out: the recording itself is
// still worth drawing.
std::vector<TimelineMark> snapshot_marks(const std::string& rrfile) {
  std::vector<TimelineMark> marks;
  try {
    for (const StoredSnapshot& s : SnapshotStore(rrfile + ".snapshots").load()) {
      std::string note = "id " + s.id + ", guest clock " + std::to_string(s.vm_clock_ns) + " ns";
      if (s.flags & kStoredAtRecordStart) note += ", taken when the recording started (rrsnapshot)";
      marks.push_back({s.name, s.icount, note});
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rewind-dump: %s (the timeline shows no snapshots)\n", escape_text(e.what()).c_str());
  }
  return marks;
}

// The guest's virtual time of events, for --pcap: the recording's start
// (its "created" date) plus instructions << shift plus the idle warps so far.
struct VirtualTime {
  int64_t start_ns = 0;
  unsigned shift = 0;
  uint64_t warps = 0;
  explicit VirtualTime(const RrHeader& h) {
    auto c = h.fields.find("created");
    std::tm tm{};
    if (c != h.fields.end() && strptime(c->second.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm))
      start_ns = static_cast<int64_t>(timegm(&tm)) * 1'000'000'000;
    auto cfg = h.fields.find("config");
    if (cfg != h.fields.end()) {
      auto at = cfg->second.find("icount-shift=");
      if (at != std::string::npos) shift = static_cast<unsigned>(std::strtoul(cfg->second.c_str() + at + 13, nullptr, 10));
      if (shift > 10) shift = 0;
    }
  }
  uint64_t at(uint64_t icount) const { return static_cast<uint64_t>(start_ns) + (icount << shift) + warps; }
};

}  // namespace

int main(int argc, char** argv) {
  bool stats = false, json = false;
  std::string path, pcap_path, timeline_path;
  EventFilter filter;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--pcap" && has_value) pcap_path = argv[++i];
    else if (a == "--timeline" && has_value) timeline_path = argv[++i];
    else if ((a == "--from" || a == "--to") && has_value) {
      uint64_t n;
      if (!parse_count(argv[++i], n)) return option_error(a + ": '" + argv[i] + "' is not an instruction count");
      (a == "--from") ? filter.set_from(n) : filter.set_to(n);
    } else if (a == "--kind" && has_value) {
      std::string err;
      if (!filter.set_kinds(argv[++i], err)) return option_error(err);
    } else if (a == "--stats") stats = true;
    else if (a == "--json") json = true;
    else if (a == "-h" || a == "--help") return usage(stdout), 0;
    else if (a[0] == '-' || !path.empty()) return usage();
    else path = a;
  }
  if (path.empty()) return usage();
  if (filter.from() > filter.to()) return option_error("--from " + std::to_string(filter.from()) + " is after --to " +
                                                       std::to_string(filter.to()));
  try {
    RrReader rr(path);
    // The same checks as a replay, before anything is printed.
    validate_recording_header(path, rr.header());
    check_recording_end(rr);
    // The outputs are opened before anything is printed: a path that cannot
    // be written gets its one line, and no work is done.
    std::unique_ptr<PcapWriter> pcap;
    if (!pcap_path.empty()) {
      try {
        pcap = std::make_unique<PcapWriter>(pcap_path, 65536);
      } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "rewind-dump: --pcap: %s\n", e.what());
        return 1;
      }
    }
    std::unique_ptr<FILE, int (*)(FILE*)> timeline_file(nullptr, std::fclose);
    if (!timeline_path.empty()) {
      timeline_file.reset(std::fopen(timeline_path.c_str(), "wb"));
      if (!timeline_file) {
        std::fprintf(stderr, "rewind-dump: --timeline: cannot write '%s': %s\n", escape_text(timeline_path).c_str(),
                     std::strerror(errno));
        return 1;
      }
    }
    EventStats counted;
    uint64_t raw_total = 0, comp_total = 0;
    for (const RrBlockInfo& b : rr.blocks()) raw_total += b.raw_len, comp_total += b.compressed_len;
    // Everything read from the file is escaped before it reaches a terminal.
    if (json) {
      std::printf("{\"file\":\"%s\",\"version\":%u,\"header\":{", json_escape(path).c_str(), rr.header().version);
      bool first = true;
      for (auto& [k, v] : rr.header().fields) {
        std::printf("%s\"%s\":\"%s\"", first ? "" : ",", json_escape(k).c_str(), json_escape(v).c_str());
        first = false;
      }
      std::printf("},\"complete\":%s,\"final_icount\":%" PRIu64 ",", rr.truncation().empty() ? "true" : "false",
                  rr.final_icount());
      if (!filter.selects_everything()) std::printf("\"selection\":\"%s\",", json_escape(filter.describe()).c_str());
      std::printf("\"events\":[");
    } else {
      std::printf("rrfile %s: format version %u, %" PRIu64 " bytes, %zu blocks, %s\n", escape_text(path).c_str(),
                  rr.header().version, rr.file_size(), rr.blocks().size(),
                  rr.truncation().empty() ? "complete" : ("INCOMPLETE: " + rr.truncation()).c_str());
      for (auto& [k, v] : rr.header().fields) {
        if (k == "config") {
          std::printf("  config:\n");
          size_t pos = 0, nl;
          while ((nl = v.find('\n', pos)) != std::string::npos) {
            std::printf("    %s\n", escape_text(v.substr(pos, nl - pos)).c_str());
            pos = nl + 1;
          }
        } else {
          std::printf("  %s: %s\n", escape_text(k).c_str(), escape_text(v).c_str());
        }
      }
      std::printf("  final instruction count: %" PRIu64 "\n", rr.final_icount());
      if (!filter.selects_everything()) std::printf("  selection: %s\n", filter.describe().c_str());
    }
    // The timeline spans the selected range, up to the recording's end.
    std::unique_ptr<TimelineBuilder> timeline;
    auto timeline_start = std::chrono::steady_clock::now();
    if (!timeline_path.empty()) {
      uint64_t end = rr.final_icount();
      if (!rr.blocks().empty()) end = std::max(end, rr.blocks().back().last_icount);
      timeline = std::make_unique<TimelineBuilder>(filter.from(), std::min(filter.to(), end));
    }
    VirtualTime vtime(rr.header());
    uint64_t n = 0, frames = 0;
    for (size_t b = 0; b < rr.blocks().size(); ++b) {
      // The pcap's timestamps need every idle warp, so it reads every block.
      if (!pcap && !filter.may_match(rr.blocks()[b])) continue;
      std::vector<uint8_t> raw = rr.read_block(b);
      RrEventCursor cur(raw, rr.blocks()[b]);
      uint8_t kb;
      uint64_t icount;
      std::vector<uint8_t> payload;
      for (size_t index = 0;; ++index) {
        Event e;
        try {
          if (!cur.next(kb, icount, payload)) break;
          e = decode_event(kb, icount, payload);
        } catch (const DecodeError& err) {
          throw DecodeError("block " + std::to_string(b) + ", event " + std::to_string(index) + " (instruction " +
                            std::to_string(cur.icount()) + "): " + err.what());
        }
        if (e.kind == EventKind::kIdleWarp) vtime.warps += e.f[0].u;
        if (!filter.wants(e.kind, icount)) continue;
        const char* name = e.spec().name;
        if (e.kind == EventKind::kNetFrame) {
          if (pcap) pcap->write(vtime.at(icount), e.f[1].bytes.data(), e.f[1].bytes.size());
          ++frames;
        }
        counted.add(e.kind, payload.size());
        if (timeline) timeline->add(e, n, [&] { return event_text(e) + frame_text(e); });
        if (stats || pcap || timeline) {
          ++n;
          continue;
        }
        if (json) {
          std::printf("%s\n{\"n\":%" PRIu64 ",\"icount\":%" PRIu64 ",\"kind\":\"%s\",\"batch_start\":%s,\"check\":%u,"
                      "\"fields\":{%s},\"summary\":\"%s\"}",
                      n ? "," : "", n, icount, name, e.batch_start ? "true" : "false", e.check,
                      event_json_fields(e).c_str(), json_escape(event_text(e) + frame_text(e)).c_str());
        } else {
          std::printf("%8" PRIu64 " %14" PRIu64 " %c %-11s %s  [check %08x]%s\n", n, icount, e.batch_start ? '*' : ' ',
                      name, event_text(e).c_str(), e.check, frame_text(e).c_str());
        }
        ++n;
      }
    }
    if (json) {
      bool listed = !(stats || pcap || timeline);
      std::printf("%s],\"stats\":%s,\"raw_bytes\":%" PRIu64 ",\"compressed_bytes\":%" PRIu64 "}\n",
                  listed && n ? "\n" : "", counted.json().c_str(), raw_total, comp_total);
    } else if (stats) {
      std::printf("event stats%s:\n%s  events uncompressed %" PRIu64 " bytes, compressed %" PRIu64 " bytes (%.1fx)\n",
                  filter.selects_everything() ? "" : " (selected events; sizes of the whole file)",
                  counted.table().c_str(), raw_total, comp_total, comp_total ? double(raw_total) / comp_total : 0.0);
    }
    if (pcap) std::fprintf(stderr, "rewind-dump: %" PRIu64 " frames written to %s\n", frames, pcap_path.c_str());
    if (timeline) {
      TimelineInfo info;
      info.file = escape_text(path);
      info.status = rr.truncation().empty() ? "complete" : "INCOMPLETE: " + rr.truncation();
      info.selection = filter.describe();
      info.final_icount = rr.final_icount();
      for (auto& [k, v] : rr.header().fields) info.header.emplace_back(k, v);
      info.snapshots = snapshot_marks(path);
      info.stats = counted.table();
      std::string page = timeline->html(info);
      FILE* f = timeline_file.release();
      if (std::fwrite(page.data(), 1, page.size(), f) != page.size() || std::fclose(f) != 0) {
        std::fprintf(stderr, "rewind-dump: --timeline: cannot write '%s': %s\n", escape_text(timeline_path).c_str(),
                     std::strerror(errno));
        return 1;
      }
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - timeline_start).count();
      std::fprintf(stderr,
                   "rewind-dump: timeline of %" PRIu64 " events in %zu lanes (%zu density bins of %" PRIu64
                   " instructions, %zu events with details) written to %s: %zu bytes in %.2f s\n",
                   timeline->events(), timeline->lanes(), timeline->cells(), timeline->bin_width(),
                   timeline->kept_events(), escape_text(timeline_path).c_str(), page.size(), secs);
    }
  } catch (const DecodeError& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "rewind-dump: %s\n", escape_text(e.what()).c_str());
    return 1;
  }
  return 0;
}
