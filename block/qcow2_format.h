// qcow2 on-disk constants and entry layouts (QEMU's docs/interop/qcow2.txt).
// Everything in a qcow2 file is big-endian.
#pragma once
#include <cstdint>
#include <cstring>

namespace rwd::qcow2 {

inline constexpr uint8_t kMagic[4] = {'Q', 'F', 'I', 0xfb};
inline constexpr uint32_t kV2HeaderLength = 72;
inline constexpr uint32_t kV3HeaderLength = 104;
inline constexpr uint32_t kMinClusterBits = 9;   // 512 bytes
inline constexpr uint32_t kMaxClusterBits = 21;  // 2 MiB: QEMU's limit
inline constexpr uint32_t kMaxBackingNameLength = 1023;

// QEMU's implementation limits, which also bound what an image can make us
// allocate: the L1 table and the refcount table are held in memory whole.
inline constexpr uint64_t kMaxL1Bytes = 32u << 20;
inline constexpr uint64_t kMaxRefcountTableBytes = 8u << 20;
inline constexpr uint32_t kMaxSnapshots = 65536;

// Header field offsets.
inline constexpr uint32_t kOffVersion = 4;
inline constexpr uint32_t kOffBackingOffset = 8;
inline constexpr uint32_t kOffBackingSize = 16;
inline constexpr uint32_t kOffClusterBits = 20;
inline constexpr uint32_t kOffSize = 24;
inline constexpr uint32_t kOffCryptMethod = 32;
inline constexpr uint32_t kOffL1Size = 36;
inline constexpr uint32_t kOffL1Offset = 40;
inline constexpr uint32_t kOffRefcountTableOffset = 48;
inline constexpr uint32_t kOffRefcountTableClusters = 56;
inline constexpr uint32_t kOffNbSnapshots = 60;
inline constexpr uint32_t kOffSnapshotsOffset = 64;
inline constexpr uint32_t kOffIncompatible = 72;
inline constexpr uint32_t kOffCompatible = 80;
inline constexpr uint32_t kOffAutoclear = 88;
inline constexpr uint32_t kOffRefcountOrder = 96;
inline constexpr uint32_t kOffHeaderLength = 100;
inline constexpr uint32_t kOffCompressionType = 104;

// Feature bits.
inline constexpr uint64_t kIncompatDirty = 1ull << 0;
inline constexpr uint64_t kIncompatCorrupt = 1ull << 1;
inline constexpr uint64_t kIncompatExternalData = 1ull << 2;
inline constexpr uint64_t kIncompatCompressionType = 1ull << 3;
inline constexpr uint64_t kIncompatExtendedL2 = 1ull << 4;
inline constexpr uint64_t kCompatLazyRefcounts = 1ull << 0;

// Header extension types.
inline constexpr uint32_t kExtEnd = 0;
inline constexpr uint32_t kExtBackingFormat = 0xe2792aca;
inline constexpr uint32_t kExtFeatureNames = 0x6803f857;
inline constexpr uint32_t kExtBitmaps = 0x23852875;
inline constexpr uint32_t kExtCryptoHeader = 0x0537be77;
inline constexpr uint32_t kExtDataFile = 0x44415441;

// L1 and L2 entries, and refcount table entries.
inline constexpr uint64_t kOflagCopied = 1ull << 63;      // refcount is exactly one
inline constexpr uint64_t kOflagCompressed = 1ull << 62;  // L2: compressed cluster
inline constexpr uint64_t kOflagZero = 1ull << 0;         // L2 (v3): reads as zeros
inline constexpr uint64_t kOffsetMask = 0x00fffffffffffe00ull;  // bits 9-55
// Bits that must be zero: L1 bits 1-8 and 56-62; L2 standard bits 1-8, 56-61.
inline constexpr uint64_t kL1Reserved = 0x7f000000000001feull;
inline constexpr uint64_t kL2Reserved = 0x3f000000000001feull;
inline constexpr uint64_t kRefTableReserved = 0x1ffull;

inline uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}
inline uint64_t load_be64(const uint8_t* p) { return static_cast<uint64_t>(load_be32(p)) << 32 | load_be32(p + 4); }
inline void store_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline void store_be64(uint8_t* p, uint64_t v) {
  store_be32(p, static_cast<uint32_t>(v >> 32));
  store_be32(p + 4, static_cast<uint32_t>(v));
}
inline void store_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

}  // namespace rwd::qcow2
