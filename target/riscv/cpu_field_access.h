// The mechanics behind cpu_fields.h's table: reading and writing any member
// of CpuState as uint64 elements (scalars, std::arrays and arrays of them,
// flattened row-major), and counting CpuState's members.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace rwd::riscv::cpu_field_detail {

// A member type's elements, flattened row-major.
template <class T>
struct Flat {
  using Elem = T;
  static constexpr size_t kCount = 1, kColumns = 1;
  template <class U>
  static U& at(U& v, size_t) { return v; }
};
template <class T, size_t N>
struct Flat<std::array<T, N>> {
  using Elem = typename Flat<T>::Elem;
  static constexpr size_t kCount = N * Flat<T>::kCount;
  static constexpr size_t kColumns = Flat<T>::kCount == 1 ? N : Flat<T>::kColumns;  // innermost row
  template <class U>
  static auto& at(U& a, size_t i) { return Flat<T>::at(a[i / Flat<T>::kCount], i % Flat<T>::kCount); }
};

// Does `v` fit an element of type E (bool, an enum or an unsigned integer)?
template <class E>
bool fits(uint64_t v) {
  if constexpr (std::is_same_v<E, bool>) return v <= 1;
  else if constexpr (std::is_enum_v<E>) return v <= std::numeric_limits<std::underlying_type_t<E>>::max();
  else return v <= std::numeric_limits<E>::max();
}

template <class P>
struct MemberOf;
template <class C, class T>
struct MemberOf<T C::*> {
  using Class = C;
  using Type = T;
};

// Element access for the member `M` (a pointer to a member of CpuState).
template <auto M>
struct Access {
  using State = typename MemberOf<decltype(M)>::Class;
  using F = Flat<typename MemberOf<decltype(M)>::Type>;
  using Elem = typename F::Elem;
  static_assert(std::is_unsigned_v<Elem> || std::is_enum_v<Elem>, "elements must be unsigned, bool or an enum");
  static constexpr size_t kCount = F::kCount, kColumns = F::kColumns, kWidth = sizeof(Elem);

  static uint64_t get(const State& s, size_t i) { return static_cast<uint64_t>(F::at(s.*M, i)); }
  static bool set(State& s, size_t i, uint64_t v) {
    if (!fits<Elem>(v)) return false;
    F::at(s.*M, i) = static_cast<Elem>(v);
    return true;
  }
};

// How many members an aggregate has: the most initialisers it accepts, each
// a value convertible to anything. (A C-array member would count once per
// element: CpuState uses std::array.)
struct AnyValue {
  template <class T>
  constexpr operator T() const noexcept;
};
template <class T, class... Values>
consteval size_t aggregate_members() {
  if constexpr (requires { T{Values{}..., AnyValue{}}; }) return aggregate_members<T, Values..., AnyValue>();
  else return sizeof...(Values);
}

}  // namespace rwd::riscv::cpu_field_detail
