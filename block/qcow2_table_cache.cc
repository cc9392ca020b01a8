// The metadata table cache: see qcow2_table_cache.h.
#include "block/qcow2_table_cache.h"

#include <cerrno>
#include <cstring>

namespace rwd {

Qcow2TableCache::Qcow2TableCache(BlockNode& file, uint64_t table_bytes, size_t capacity)
    : file_(file), table_bytes_(table_bytes), entries_(capacity) {}

// A free slot, or the least recently used one after writing it back.
Qcow2TableCache::Entry* Qcow2TableCache::slot_for(uint64_t offset, int* err) {
  Entry* victim = nullptr;
  for (Entry& e : entries_) {
    if (!e.data) {
      victim = &e;
      break;
    }
    if (!victim || e.last_use < victim->last_use) victim = &e;
  }
  if (victim->data) {
    if (victim->dirty) {
      int r = write_entry(*victim);
      if (r < 0) {
        *err = r;
        return nullptr;
      }
    }
    index_.erase(victim->offset);
  } else {
    victim->data.reset(new uint8_t[table_bytes_]);
  }
  victim->offset = offset;
  victim->dirty = false;
  victim->last_use = ++clock_;
  index_[offset] = static_cast<size_t>(victim - entries_.data());
  return victim;
}

uint8_t* Qcow2TableCache::get(uint64_t offset, int* err) {
  auto it = index_.find(offset);
  if (it != index_.end()) {
    Entry& e = entries_[it->second];
    e.last_use = ++clock_;
    return e.data.get();
  }
  if (offset > file_.size() || table_bytes_ > file_.size() - offset) {
    *err = -EIO;  // a table past the end of the image: damaged metadata
    return nullptr;
  }
  Entry* e = slot_for(offset, err);
  if (!e) return nullptr;
  int r = file_.read(offset, e->data.get(), table_bytes_);
  if (r < 0) {
    index_.erase(offset);
    e->data.reset();
    *err = r;
    return nullptr;
  }
  return e->data.get();
}

uint8_t* Qcow2TableCache::create(uint64_t offset, const uint8_t* init, int* err) {
  auto it = index_.find(offset);
  Entry* e = it != index_.end() ? &entries_[it->second] : slot_for(offset, err);
  if (!e) return nullptr;
  if (init)
    std::memcpy(e->data.get(), init, table_bytes_);
  else
    std::memset(e->data.get(), 0, table_bytes_);
  e->dirty = true;
  e->last_use = ++clock_;
  return e->data.get();
}

void Qcow2TableCache::mark_dirty(uint64_t offset) {
  auto it = index_.find(offset);
  if (it != index_.end()) entries_[it->second].dirty = true;
}

void Qcow2TableCache::drop(uint64_t offset) {
  auto it = index_.find(offset);
  if (it == index_.end()) return;
  entries_[it->second].data.reset();
  entries_[it->second].dirty = false;
  index_.erase(it);
}

bool Qcow2TableCache::has_dirty() const {
  for (const Entry& e : entries_)
    if (e.data && e.dirty) return true;
  return false;
}

int Qcow2TableCache::write_entry(Entry& e) {
  if (before_write_) {
    int r = before_write_();
    if (r < 0) return r;
  }
  int r = file_.write(e.offset, e.data.get(), table_bytes_);
  if (r == 0) e.dirty = false;
  return r;
}

int Qcow2TableCache::flush() {
  for (Entry& e : entries_) {
    if (e.data && e.dirty) {
      int r = write_entry(e);
      if (r < 0) return r;
    }
  }
  return 0;
}

}  // namespace rwd
