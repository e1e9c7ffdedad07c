// Identity of a container as sFlow reports it: UUID, hostname and dsIndex.
//
// The scheme matches hsflowd's Docker module on x86-64, so both agents report the same
// data source (3, dsIndex) for the same container.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/result.h"

namespace csflowd::containers {

using Uuid = std::array<uint8_t, 16>;

// First and last dsIndex of the entLogicalEntry range given to containers.
inline constexpr uint32_t kFirstDsIndex = 100000;
inline constexpr uint32_t kLastDsIndex = 149999;

// Maximum length of host_descr's hostname (string<64>).
inline constexpr size_t kMaxHostnameBytes = 64;

// Parses the first 32 hex digits of a container id (64 hex digits) into 16 bytes.
// It is not an RFC 4122 UUID, just the id's leading bytes.
Result<Uuid> uuid_from_id(std::string_view id);

// Removes Docker's leading '/' from a container name and clamps it to 64 bytes
// without cutting a UTF-8 sequence.
std::string hostname_from_name(std::string_view name);

// Clamps text to max_bytes, backing off to the start of a UTF-8 sequence.
std::string clamp_utf8(std::string_view text, size_t max_bytes);

// FNV-1a 32 of the UUID, each byte XORed as a signed char (sign-extended), as
// hsflowd computes it on x86-64.
uint32_t fnv1a32_signed(const Uuid& uuid);

// dsIndex a UUID prefers before probing: 100000 + hash % 50000.
uint32_t preferred_ds_index(const Uuid& uuid);

// Hands out dsIndexes in [100000, 149999]: the preferred one, or on collision the next
// free one (+1, wrapping from 149999 to 100000).
class DsIndexAllocator {
 public:
  DsIndexAllocator() = default;
  // Limits assign() to [kFirstDsIndex, last], so tests can fill the range quickly.
  explicit DsIndexAllocator(uint32_t last) : last_(last) {}

  // Returns the index now reserved for uuid, or nullopt when every index is taken.
  std::optional<uint32_t> assign(const Uuid& uuid);
  // Makes index free again; releasing an index that is not in use does nothing.
  void release(uint32_t index);
  [[nodiscard]] bool in_use(uint32_t index) const { return used_.count(index) != 0; }
  [[nodiscard]] size_t size() const { return used_.size(); }

 private:
  uint32_t last_ = kLastDsIndex;
  std::set<uint32_t> used_;
};

}  // namespace csflowd::containers
