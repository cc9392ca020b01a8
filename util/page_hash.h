// The hash of a RAM page for state checks (replay/state_hash.h). A recording
// names the function it used in its header (field "page-hash"), so a replay
// hashes its pages the same way, whichever rewind made it.
//
// kWords, hash_bytes (util/hash64.h), is what recordings without the field
// used. It chains one 64-bit multiply per word through four lanes, about
// 6.6 GB/s on this project's EPYC hosts. Recording a disk workload hashes
// every page the device and `dd`'s buffer dirty, about twice the data
// moved; that hashing was most of what recording added to -icount on the
// `seq` disk benchmark (issue 10).
//
// kLanes is built for SIMD: eight 64-bit lanes per 64-byte stripe, each
//   acc[l] += lo32(x) * hi32(x) + w[l ^ 1],  x = w[l] ^ key(stripe, l),
// where w are the stripe's eight little-endian words and the key depends on
// the lane and on the stripe's place in the page (so moving data within a
// page changes the hash). 32x32->64 multiplies and 64-bit adds are vector
// instructions: AVX2 does four lanes at once, 27 to 39 GB/s here.
// The raw word added into the neighbouring lane makes a change to any
// single word change that lane's sum, whatever the product does; the final
// fold is a bijection of each lane. It catches accidental changes, as the
// state checks need; it does not resist an adversary. Every host computes
// the same value: the AVX2 path and the portable one (hosts without AVX2,
// 5 to 6 GB/s) are the same arithmetic, checked against each other by
// tests/unit/page_hash_test.cc.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace rwd {

enum class PageHash : uint8_t { kWords, kLanes };

// The header field's value for each function, and back (false: unknown).
const char* page_hash_name(PageHash h);
bool parse_page_hash(const std::string& name, PageHash& out);

uint64_t lane_hash(const void* data, size_t len);
uint64_t lane_hash_portable(const void* data, size_t len);  // the same, without AVX2
uint64_t page_hash(PageHash h, const void* data, size_t len);

}  // namespace rwd
