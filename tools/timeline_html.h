// rewind-dump --timeline OUT.html: a recording drawn over instruction count,
// one lane per event kind that occurs (kinds come from the registry,
// replay/events.def, so a kind added later gets its lane with no change
// here), in one self-contained HTML page (inline CSS and JS, nothing
// fetched). docs/recording-timeline.md shows what the page does.
//
// The page stays small whatever the recording's size, because the
// aggregation happens here, not in the browser:
//  - density: every event is counted in a bin of the instruction range;
//    bins start one instruction wide (at most 2^20 bins over the range) and
//    are merged pairwise until all lanes together have at most
//    kTimelineMaxCells non-empty bins;
//  - individual events (for hover details in zoomed views): each lane keeps
//    every event while it has few, then every 2nd, 4th, ... (evenly spread
//    over the lane's events, first included), so that all lanes together
//    keep at most kTimelineMaxEvents, each summary at most
//    kTimelineMaxSummary characters (kTimelineMaxSummaryBytes escaped).
// That bounds the page to about 6.5 MB (2 MB of bins, 4.3 MB of events);
// recordings seen so far give 1.5 to 3 MB (docs/recording-timeline.md).
// Memory while building is bounded the same way (bins are merged as they
// grow, kept events thinned as they come).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "replay/event_codec.h"

namespace rwd {

inline constexpr uint64_t kTimelineFinestBins = 1u << 20;
inline constexpr size_t kTimelineMaxCells = 1u << 17;   // non-empty density bins, all lanes
inline constexpr size_t kTimelineMaxEvents = 1u << 14;  // individual events, all lanes
inline constexpr size_t kTimelineMaxSummary = 160;      // characters of one event's summary
inline constexpr size_t kTimelineMaxSummaryBytes = 200; // ... and its bytes in the page, escaped

// A named point of the recording drawn on the marker row: a snapshot of
// RRFILE.snapshots (rrsnapshot=, savevm while recording).
struct TimelineMark {
  std::string name;
  uint64_t icount = 0;
  std::string note;  // shown on hover
};

// What the page says about the recording besides its events.
struct TimelineInfo {
  std::string file;
  std::string status;     // "complete", or why the file ends early
  std::string selection;  // rewind-dump's filter ("" when everything)
  uint64_t final_icount = 0;
  std::vector<std::pair<std::string, std::string>> header;  // the rrfile's header fields
  std::vector<TimelineMark> snapshots;
  std::string stats;  // EventStats::table() of the selected events
};

class TimelineBuilder {
 public:
  // Events come in instruction-count order, each in [first, last].
  TimelineBuilder(uint64_t first, uint64_t last);

  // Counts the event; `summary` (the text rewind-dump prints for it) is
  // only asked for when the event is kept for details. `n` is its number in
  // rewind-dump's listing.
  void add(const Event& e, uint64_t n, const std::function<std::string()>& summary);

  // The whole page. Reduces the bins and kept events to their bounds first.
  std::string html(const TimelineInfo& info);

  uint64_t events() const { return events_; }
  size_t lanes() const;
  size_t kept_events() const;
  size_t cells() const;
  uint64_t bin_width() const { return bin_width_; }

 private:
  struct Cell {
    uint64_t bin, count;
  };
  struct Kept {
    uint64_t n, icount;
    bool batch_start;
    uint32_t check;
    std::string summary;
  };
  struct Lane {
    uint64_t count = 0, bytes = 0;
    std::vector<Cell> cells;  // increasing bins
    std::vector<Kept> kept;   // every stride-th event of the lane
    uint64_t stride = 1;
  };
  void coarsen();  // doubles the bin width
  static void thin(Lane& lane);  // keeps every other kept event, doubles the stride
  void fit_kept();
  std::string data_json(const TimelineInfo& info) const;

  uint64_t first_, last_;
  uint64_t bin_width_;
  size_t cells_ = 0;
  uint64_t events_ = 0;
  std::array<Lane, kEventKindCount> lanes_;
};

}  // namespace rwd
