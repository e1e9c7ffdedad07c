#include <gtest/gtest.h>

#include "containers/identity.h"

namespace csflowd::containers {
namespace {

constexpr char kWebId[] = "2e781c0358b9940f7bc8399903b5af0d6b2c0c8a6f4a1f0e2d3c4b5a69788796";
constexpr char kCountingId[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

Uuid uuid_of(const char* id) {
  auto uuid = uuid_from_id(id);
  EXPECT_TRUE(uuid.ok()) << id;
  return uuid.ok() ? *uuid : Uuid{};
}

// Searches counter UUIDs for one whose preferred dsIndex is target.
Uuid find_uuid_preferring(uint32_t target) {
  Uuid uuid{};
  for (uint32_t counter = 0; counter < 10'000'000; ++counter) {
    uuid[12] = static_cast<uint8_t>(counter >> 24);
    uuid[13] = static_cast<uint8_t>(counter >> 16);
    uuid[14] = static_cast<uint8_t>(counter >> 8);
    uuid[15] = static_cast<uint8_t>(counter);
    if (preferred_ds_index(uuid) == target) {
      return uuid;
    }
  }
  ADD_FAILURE() << "no UUID prefers dsIndex " << target;
  return uuid;
}

TEST(ContainersIdentity, UuidIsFirst32HexDigits) {
  Uuid uuid = uuid_of(kWebId);
  Uuid expected{0x2e, 0x78, 0x1c, 0x03, 0x58, 0xb9, 0x94, 0x0f,
                0x7b, 0xc8, 0x39, 0x99, 0x03, 0xb5, 0xaf, 0x0d};
  EXPECT_EQ(uuid, expected);
}

TEST(ContainersIdentity, UuidAcceptsUppercase) {
  EXPECT_EQ(uuid_of("0123456789ABCDEF0123456789ABCDEF"), uuid_of(kCountingId));
}

TEST(ContainersIdentity, UuidRejectsShortOrNonHexId) {
  EXPECT_FALSE(uuid_from_id("0123456789abcdef").ok());
  EXPECT_FALSE(uuid_from_id("").ok());
  EXPECT_FALSE(uuid_from_id("0123456789abcdef0123456789abcdeg").ok());
  EXPECT_FALSE(uuid_from_id("netns-4026532001xxxxxxxxxxxxxxxxxxxxxxx").ok());
}

TEST(ContainersIdentity, DsIndexMatchesHsflowdOnX86) {
  EXPECT_EQ(preferred_ds_index(uuid_of(kWebId)), 145325u);
  EXPECT_EQ(preferred_ds_index(uuid_of(kCountingId)), 134981u);
}

TEST(ContainersIdentity, HashSignExtendsHighBytes) {
  // With unsigned chars the same ids would give 113117 and 128709.
  EXPECT_NE(preferred_ds_index(uuid_of(kWebId)), 113117u);
  Uuid high{};
  high.fill(0x80);
  Uuid low{};
  low.fill(0x00);
  EXPECT_NE(fnv1a32_signed(high), fnv1a32_signed(low));
}

TEST(ContainersIdentity, HostnameDropsSlashAndClamps) {
  EXPECT_EQ(hostname_from_name("/csfk-web"), "csfk-web");
  EXPECT_EQ(hostname_from_name("csfk-web"), "csfk-web");
  EXPECT_EQ(hostname_from_name("/" + std::string(80, 'x')).size(), 64u);
  EXPECT_EQ(hostname_from_name(""), "");
}

TEST(ContainersIdentity, ClampKeepsUtf8SequencesWhole) {
  std::string text = std::string(63, 'a') + "\xc3\xa9";  // 'é' straddles byte 64
  EXPECT_EQ(clamp_utf8(text, 64), std::string(63, 'a'));
  EXPECT_EQ(clamp_utf8(text, 65), text);
}

TEST(ContainersIdentity, AllocatorProbesOnCollision) {
  DsIndexAllocator allocator;
  Uuid uuid = uuid_of(kWebId);
  EXPECT_EQ(allocator.assign(uuid), 145325u);
  EXPECT_EQ(allocator.assign(uuid), 145326u);
  EXPECT_EQ(allocator.assign(uuid), 145327u);
  EXPECT_EQ(allocator.size(), 3u);
}

TEST(ContainersIdentity, AllocatorWrapsToFirstIndex) {
  DsIndexAllocator allocator;
  Uuid last = find_uuid_preferring(kLastDsIndex);
  EXPECT_EQ(allocator.assign(last), kLastDsIndex);
  EXPECT_EQ(allocator.assign(last), kFirstDsIndex);
}

TEST(ContainersIdentity, AllocatorReusesReleasedIndex) {
  DsIndexAllocator allocator;
  Uuid uuid = uuid_of(kCountingId);
  ASSERT_EQ(allocator.assign(uuid), 134981u);
  ASSERT_EQ(allocator.assign(uuid), 134982u);
  allocator.release(134981u);
  EXPECT_FALSE(allocator.in_use(134981u));
  EXPECT_TRUE(allocator.in_use(134982u));
  EXPECT_EQ(allocator.assign(uuid), 134981u);
  allocator.release(120000u);  // never assigned
  EXPECT_EQ(allocator.size(), 2u);
}

TEST(ContainersIdentity, AllocatorReportsFullRange) {
  DsIndexAllocator allocator(kFirstDsIndex + 9);
  Uuid uuid = uuid_of(kWebId);
  for (uint32_t i = 0; i < 10; ++i) {
    auto index = allocator.assign(uuid);
    ASSERT_TRUE(index.has_value()) << i;
    EXPECT_GE(*index, kFirstDsIndex);
    EXPECT_LE(*index, kFirstDsIndex + 9);
  }
  EXPECT_FALSE(allocator.assign(uuid).has_value());
  allocator.release(kFirstDsIndex + 4);
  EXPECT_EQ(allocator.assign(uuid), kFirstDsIndex + 4);
}

}  // namespace
}  // namespace csflowd::containers
