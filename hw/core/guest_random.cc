#include "hw/core/guest_random.h"

#include <sys/random.h>

#include <cstring>
#include <stdexcept>

namespace rwd {

Mt19937::Mt19937(const uint32_t* key, size_t len) {
  seed(19650218u);
  size_t i = 1, j = 0;
  for (size_t k = kN > len ? kN : len; k > 0; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + key[j] + static_cast<uint32_t>(j);
    ++i;
    ++j;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
    if (j >= len) j = 0;
  }
  for (size_t k = kN - 1; k > 0; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) - static_cast<uint32_t>(i);
    ++i;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
  }
  mt_[0] = 0x80000000u;  // a non-zero initial state is assured
  index_ = kN;
}

void Mt19937::seed(uint32_t s) {
  mt_[0] = s;
  for (int i = 1; i < kN; ++i) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<uint32_t>(i);
}

void Mt19937::refill() {
  constexpr uint32_t kMatrixA = 0x9908b0dfu, kUpper = 0x80000000u, kLower = 0x7fffffffu;
  for (int k = 0; k < kN; ++k) {
    uint32_t y = (mt_[k] & kUpper) | (mt_[(k + 1) % kN] & kLower);
    mt_[k] = mt_[(k + kM) % kN] ^ (y >> 1) ^ ((y & 1) ? kMatrixA : 0);
  }
  index_ = 0;
}

uint32_t Mt19937::next() {
  if (index_ >= kN) refill();
  uint32_t y = mt_[index_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

void Mt19937::save(ByteWriter& w) const {
  for (uint32_t v : mt_) w.u32(v);
  w.u32(static_cast<uint32_t>(index_));
}

void Mt19937::load(ByteReader& r) {
  for (uint32_t& v : mt_) v = r.u32();
  uint32_t index = r.u32();
  if (index > kN) throw DecodeError("guest random: position out of range");
  index_ = static_cast<int>(index);
}

GuestRandom::GuestRandom(std::optional<uint64_t> seed) {
  if (!seed) return;
  uint32_t key[2] = {static_cast<uint32_t>(*seed), static_cast<uint32_t>(*seed >> 32)};
  mt_.emplace(key, 2);
  // QEMU uses up 2 outputs before the board's first draw (the rng-seed of
  // the tree built at machine creation: #2..#9); the first reset draws #10..#17.
  for (int i = 0; i < 2; ++i) mt_->next();
}

void GuestRandom::fill(uint8_t* out, size_t len) {
  if (mt_) {
    for (size_t i = 0; i < len; i += 4) {
      uint32_t v = mt_->next();
      uint8_t b[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
                      static_cast<uint8_t>(v >> 24)};
      std::memcpy(out + i, b, len - i < 4 ? len - i : 4);
    }
    return;
  }
  size_t done = 0;
  while (done < len) {
    ssize_t n = getrandom(out + done, len - done, 0);
    if (n <= 0) throw std::runtime_error("getrandom failed: no host randomness for the guest");
    done += static_cast<size_t>(n);
  }
}

}  // namespace rwd

namespace rwd {

void GuestRandom::save(ByteWriter& w) const {
  w.section("guest_random");
  w.u8(mt_.has_value());
  if (mt_) mt_->save(w);
}

void GuestRandom::load(ByteReader& r) {
  r.expect_section("guest_random");
  if ((r.u8() != 0) != mt_.has_value()) throw DecodeError("guest random: saved with a different -seed setting");
  if (mt_) mt_->load(r);
}

}  // namespace rwd
