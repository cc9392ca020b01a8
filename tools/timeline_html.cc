#include "tools/timeline_html.h"

#include <algorithm>

#include "tools/timeline_page.h"

namespace rwd {

namespace {

// A JSON string that is also safe inside <script>: no "</script>", no
// "<!--", whatever the recording holds.
std::string js_string(const std::string& s) {
  std::string out = "\"";
  for (char c : json_escape(s)) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out + "\"";
}

// The bytes `c` takes in js_string().
size_t escaped_size(unsigned char c) {
  if (c == '<' || c == '>' || c == '&' || c < 0x20 || c >= 0x7f) return c == '\n' ? 2 : 6;
  return c == '"' || c == '\\' ? 2 : 1;
}

// At most kTimelineMaxSummary characters, and at most kTimelineMaxSummaryBytes
// once escaped for the page, "..." marking a cut.
std::string cut_summary(const std::string& text) {
  auto fits = [&](size_t chars, size_t max_chars, size_t max_bytes) {
    size_t bytes = 0;
    for (size_t i = 0; i < chars; ++i) bytes += escaped_size(static_cast<unsigned char>(text[i]));
    return chars <= max_chars && bytes <= max_bytes;
  };
  if (fits(text.size(), kTimelineMaxSummary, kTimelineMaxSummaryBytes)) return text;
  size_t n = std::min(text.size(), kTimelineMaxSummary - 3);
  while (n && !fits(n, kTimelineMaxSummary - 3, kTimelineMaxSummaryBytes - 3)) --n;
  return text.substr(0, n) + "...";
}

const char* family_name(EventFamily f) {
  switch (f) {
    case EventFamily::kSync: return "sync";
    case EventFamily::kAsync: return "async";
    case EventFamily::kInput: return "input";
  }
  return "?";
}

}  // namespace

TimelineBuilder::TimelineBuilder(uint64_t first, uint64_t last) : first_(first), last_(std::max(first, last)) {
  // The smallest width that fits the range into kTimelineFinestBins bins.
  uint64_t span = last_ - first_;  // + 1 would overflow for the whole 64-bit range
  bin_width_ = span / kTimelineFinestBins + 1;
}

void TimelineBuilder::add(const Event& e, uint64_t n, const std::function<std::string()>& summary) {
  Lane& lane = lanes_[static_cast<size_t>(e.kind)];
  uint64_t bin = (std::clamp(e.icount, first_, last_) - first_) / bin_width_;
  if (!lane.cells.empty() && lane.cells.back().bin == bin) {
    ++lane.cells.back().count;
  } else {
    lane.cells.push_back({bin, 1});
    // Merging while building keeps memory bounded too (4x the page's bound).
    if (++cells_ > 4 * kTimelineMaxCells) coarsen();
  }
  if (lane.count % lane.stride == 0) {
    lane.kept.push_back({n, e.icount, e.batch_start, e.check, cut_summary(summary())});
    if (lane.kept.size() > kTimelineMaxEvents) thin(lane);
  }
  ++lane.count;
  lane.bytes += e.payload_size;
  ++events_;
}

void TimelineBuilder::coarsen() {
  bin_width_ *= 2;
  cells_ = 0;
  for (Lane& lane : lanes_) {
    std::vector<Cell> merged;
    for (const Cell& c : lane.cells) {
      uint64_t bin = c.bin / 2;
      if (!merged.empty() && merged.back().bin == bin) merged.back().count += c.count;
      else merged.push_back({bin, c.count});
    }
    cells_ += merged.size();
    lane.cells = std::move(merged);
  }
}

void TimelineBuilder::thin(Lane& lane) {
  // Kept events are the lane's events 0, s, 2s, ...: keeping every other one
  // leaves 0, 2s, 4s, ..., which is what stride 2s would have kept.
  size_t w = 0;
  for (size_t r = 0; r < lane.kept.size(); r += 2) lane.kept[w++] = std::move(lane.kept[r]);
  lane.kept.resize(w);
  lane.stride *= 2;
}

void TimelineBuilder::fit_kept() {
  // Water-filling: lanes with few events keep them all, and the rest of the
  // budget is shared evenly by the others.
  std::vector<Lane*> order;
  for (Lane& lane : lanes_)
    if (lane.count) order.push_back(&lane);
  std::sort(order.begin(), order.end(), [](Lane* a, Lane* b) { return a->kept.size() < b->kept.size(); });
  size_t budget = kTimelineMaxEvents;
  for (size_t i = 0; i < order.size(); ++i) {
    size_t share = budget / (order.size() - i);
    while (order[i]->kept.size() > std::max<size_t>(share, 1)) thin(*order[i]);
    budget -= std::min(budget, order[i]->kept.size());
  }
}

size_t TimelineBuilder::lanes() const {
  return static_cast<size_t>(std::count_if(lanes_.begin(), lanes_.end(), [](const Lane& l) { return l.count > 0; }));
}

size_t TimelineBuilder::kept_events() const {
  size_t n = 0;
  for (const Lane& l : lanes_) n += l.kept.size();
  return n;
}

size_t TimelineBuilder::cells() const { return cells_; }

std::string TimelineBuilder::html(const TimelineInfo& info) {
  while (cells_ > kTimelineMaxCells) coarsen();
  fit_kept();
  return timeline_page(data_json(info));
}

std::string TimelineBuilder::data_json(const TimelineInfo& info) const {
  std::string j;
  j.reserve(1 << 20);
  auto num = [&](uint64_t v) { j += std::to_string(v); };
  j += "{\"file\":" + js_string(info.file) + ",\"status\":" + js_string(info.status) +
       ",\"selection\":" + js_string(info.selection) + ",\"finalIcount\":";
  num(info.final_icount);
  j += ",\"first\":";
  num(first_);
  j += ",\"last\":";
  num(last_);
  j += ",\"binWidth\":";
  num(bin_width_);
  j += ",\"events\":";
  num(events_);
  j += ",\"bounds\":{\"cells\":" + std::to_string(kTimelineMaxCells) +
       ",\"events\":" + std::to_string(kTimelineMaxEvents) + "},\"header\":[";
  for (size_t i = 0; i < info.header.size(); ++i)
    j += std::string(i ? "," : "") + "[" + js_string(info.header[i].first) + "," + js_string(info.header[i].second) + "]";
  j += "],\"snapshots\":[";
  for (size_t i = 0; i < info.snapshots.size(); ++i) {
    const TimelineMark& m = info.snapshots[i];
    j += std::string(i ? "," : "") + "{\"name\":" + js_string(m.name) + ",\"icount\":" + std::to_string(m.icount) +
         ",\"note\":" + js_string(m.note) + "}";
  }
  j += "],\"stats\":" + js_string(info.stats) + ",\"lanes\":[";
  bool first_lane = true;
  for_each_event_kind([&](EventKind k, const EventSpec& spec) {
    const Lane& lane = lanes_[static_cast<size_t>(k)];
    if (!lane.count) return;
    j += first_lane ? "" : ",";
    first_lane = false;
    j += "\n{\"kind\":" + std::to_string(static_cast<unsigned>(k)) + ",\"name\":" + js_string(spec.name) +
         ",\"family\":\"" + family_name(spec.family) + "\",\"count\":" + std::to_string(lane.count) +
         ",\"bytes\":" + std::to_string(lane.bytes) + ",\"stride\":" + std::to_string(lane.stride) +
         ",\"checkpoint\":" + (k == EventKind::kCheckpoint ? "true" : "false") + ",\n\"cells\":[";
    // Cells as (bin - previous bin, count) pairs: small numbers, short text.
    uint64_t prev = 0;
    for (size_t i = 0; i < lane.cells.size(); ++i) {
      if (i) j += ',';
      num(lane.cells[i].bin - prev);
      j += ',';
      num(lane.cells[i].count);
      prev = lane.cells[i].bin;
    }
    j += "],\n\"events\":[";
    for (size_t i = 0; i < lane.kept.size(); ++i) {
      const Kept& e = lane.kept[i];
      j += std::string(i ? "," : "") + "[" + std::to_string(e.n) + "," + std::to_string(e.icount) + "," +
           (e.batch_start ? "1" : "0") + "," + std::to_string(e.check) + "," + js_string(e.summary) + "]";
    }
    j += "]}";
  });
  return j + "]}";
}

}  // namespace rwd
