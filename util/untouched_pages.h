// Which pages of an anonymous host mapping (guest RAM) the host has never
// backed: they read as zeros, and looking at them would only make the host
// back them. Read from /proc/self/pagemap: a page neither present nor
// swapped out holds nothing. (mincore() would not do: it reports swapped-out
// pages, which hold data, as absent too.) Where pagemap cannot be read,
// every page counts as touched.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rwd {

// One flag per 4 KiB page of [p, p + len): true when certainly zero.
std::vector<bool> untouched_pages(const void* p, size_t len);

}  // namespace rwd
