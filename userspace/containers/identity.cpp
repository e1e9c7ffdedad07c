#include "containers/identity.h"

namespace csflowd::containers {
namespace {

constexpr uint32_t kFnvOffsetBasis = 2166136261u;
constexpr uint32_t kFnvPrime = 16777619u;
constexpr uint32_t kRangeSize = kLastDsIndex - kFirstDsIndex + 1;

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

Result<Uuid> uuid_from_id(std::string_view id) {
  Uuid uuid{};
  if (id.size() < 2 * uuid.size()) {
    return plain_error("container id '" + std::string(id) + "' is shorter than 32 hex digits");
  }
  for (size_t i = 0; i < uuid.size(); ++i) {
    int high = hex_value(id[2 * i]);
    int low = hex_value(id[2 * i + 1]);
    if (high < 0 || low < 0) {
      return plain_error("container id '" + std::string(id) + "' is not hexadecimal");
    }
    uuid[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return uuid;
}

std::string clamp_utf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) {
    return std::string(text);
  }
  size_t end = max_bytes;
  // A byte 10xxxxxx continues a sequence, so the cut must move before its lead byte.
  while (end > 0 && (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return std::string(text.substr(0, end));
}

std::string hostname_from_name(std::string_view name) {
  if (!name.empty() && name.front() == '/') {
    name.remove_prefix(1);
  }
  return clamp_utf8(name, kMaxHostnameBytes);
}

uint32_t fnv1a32_signed(const Uuid& uuid) {
  uint32_t hash = kFnvOffsetBasis;
  for (uint8_t byte : uuid) {
    // hsflowd XORs a plain char, which is signed on x86-64: 0x80..0xff become 0xffffff80...
    hash ^= static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(byte)));
    hash *= kFnvPrime;
  }
  return hash;
}

uint32_t preferred_ds_index(const Uuid& uuid) {
  return kFirstDsIndex + fnv1a32_signed(uuid) % kRangeSize;
}

std::optional<uint32_t> DsIndexAllocator::assign(const Uuid& uuid) {
  uint32_t range = last_ - kFirstDsIndex + 1;
  uint32_t index = kFirstDsIndex + fnv1a32_signed(uuid) % range;
  for (uint32_t probes = 0; probes < range; ++probes) {
    if (used_.insert(index).second) {
      return index;
    }
    index = index == last_ ? kFirstDsIndex : index + 1;
  }
  return std::nullopt;
}

void DsIndexAllocator::release(uint32_t index) { used_.erase(index); }

}  // namespace csflowd::containers
