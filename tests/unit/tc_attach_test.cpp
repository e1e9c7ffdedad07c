// Attaches the sampler to a veth pair made for the test, with tcx and with classic tc, and
// checks what is left on the interface afterwards. Needs root.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>

#include "datapath/sampler.h"
#include "datapath/tc_attach.h"

namespace csflowd::datapath {
namespace {

constexpr const char* kDevice = "csfu0";
constexpr uint32_t kTcxIngress = 46;  // BPF_TCX_INGRESS, missing from Debian 12's headers

int run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

std::string output_of(const std::string& command) {
  std::string text;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return text;
  }
  std::array<char, 512> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
    text += buffer.data();
  }
  pclose(pipe);
  return text;
}

bool has_clsact() {
  return output_of("tc qdisc show dev csfu0").find("clsact") != std::string::npos;
}

// Programs on the tcx ingress hook of the device, or -1 when the kernel has no tcx.
int tcx_ingress_programs(int ifindex) {
  uint32_t ids[8] = {};
  uint32_t count = 8;
  if (bpf_prog_query(ifindex, static_cast<bpf_attach_type>(kTcxIngress), 0, nullptr, ids, &count) !=
      0) {
    return -1;
  }
  return static_cast<int>(count);
}

class TcAttachTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      GTEST_SKIP() << "needs root to attach BPF programs";
    }
    run("ip link del csfu0");
    ASSERT_EQ(run("ip link add csfu0 type veth peer name csfu1"), 0);
    ifindex_ = static_cast<int>(if_nametoindex(kDevice));
    auto loaded = Sampler::load({});
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    sampler_ = std::move(*loaded);
  }

  void TearDown() override { run("ip link del csfu0"); }

  Result<TcAttachment> attach(AttachMode mode) {
    return TcAttachment::attach(ifindex_, kDevice, sampler_->ingress_program_fd(),
                                sampler_->egress_program_fd(), mode);
  }

  bool kernel_has_tcx() const { return tcx_ingress_programs(ifindex_) >= 0; }

  int ifindex_ = 0;
  std::unique_ptr<Sampler> sampler_;
};

TEST_F(TcAttachTest, ClassicCreatesAndRemovesQdisc) {
  {
    auto attached = attach(AttachMode::kClassic);
    ASSERT_TRUE(attached.ok()) << attached.error().message();
    EXPECT_FALSE(attached->uses_tcx());
    EXPECT_TRUE(has_clsact());
    EXPECT_EQ(*count_tc_filters(ifindex_, false), 1);
    EXPECT_EQ(*count_tc_filters(ifindex_, true), 1);
  }
  EXPECT_FALSE(has_clsact()) << "csflowd created the qdisc, so it removes it";
}

TEST_F(TcAttachTest, ClassicKeepsExistingQdiscAndFilter) {
  ASSERT_EQ(run("tc qdisc add dev csfu0 clsact"), 0);
  ASSERT_EQ(
      run("tc filter add dev csfu0 ingress prio 1 protocol all u32 match u32 0 0 classid 1:1"), 0);
  {
    auto attached = attach(AttachMode::kClassic);
    ASSERT_TRUE(attached.ok()) << attached.error().message();
    EXPECT_EQ(*count_tc_filters(ifindex_, false), 2);
  }
  EXPECT_TRUE(has_clsact()) << "the qdisc was not csflowd's";
  EXPECT_EQ(*count_tc_filters(ifindex_, false), 1) << "the foreign filter stays";
  EXPECT_EQ(*count_tc_filters(ifindex_, true), 0);
}

TEST_F(TcAttachTest, ClassicKeepsQdiscWithForeignFilterAddedLater) {
  {
    auto attached = attach(AttachMode::kClassic);
    ASSERT_TRUE(attached.ok()) << attached.error().message();
    ASSERT_EQ(
        run("tc filter add dev csfu0 egress prio 1 protocol all u32 match u32 0 0 classid 1:1"), 0);
  }
  EXPECT_TRUE(has_clsact()) << "another program's filter lives on the qdisc";
  EXPECT_EQ(*count_tc_filters(ifindex_, true), 1);
}

TEST_F(TcAttachTest, ClassicReplacesOwnLeftover) {
  auto first = attach(AttachMode::kClassic);
  ASSERT_TRUE(first.ok()) << first.error().message();
  auto second = attach(AttachMode::kClassic);
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(*count_tc_filters(ifindex_, false), 1) << "the same slot, replaced";
}

TEST_F(TcAttachTest, TcxAttachesWithoutQdisc) {
  if (!kernel_has_tcx()) {
    GTEST_SKIP() << "kernel without tcx (before 6.6)";
  }
  {
    auto attached = attach(AttachMode::kTcx);
    ASSERT_TRUE(attached.ok()) << attached.error().message();
    EXPECT_TRUE(attached->uses_tcx());
    EXPECT_EQ(tcx_ingress_programs(ifindex_), 1);
    EXPECT_FALSE(has_clsact());
  }
  EXPECT_EQ(tcx_ingress_programs(ifindex_), 0);
}

TEST_F(TcAttachTest, TcxRemovesLeftoverClassicFilter) {
  if (!kernel_has_tcx()) {
    GTEST_SKIP() << "kernel without tcx (before 6.6)";
  }
  auto classic = attach(AttachMode::kClassic);
  ASSERT_TRUE(classic.ok()) << classic.error().message();
  auto tcx = attach(AttachMode::kTcx);
  ASSERT_TRUE(tcx.ok()) << tcx.error().message();
  EXPECT_EQ(*count_tc_filters(ifindex_, false), 0) << "no packet may be sampled twice";
  EXPECT_EQ(*count_tc_filters(ifindex_, true), 0);
}

TEST_F(TcAttachTest, TcxReleasedWhenProcessDies) {
  if (!kernel_has_tcx()) {
    GTEST_SKIP() << "kernel without tcx (before 6.6)";
  }
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto attached = attach(AttachMode::kTcx);
    _exit(attached.ok() && tcx_ingress_programs(ifindex_) == 1 ? 0 : 1);  // no destructors run
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the child could not attach";
  EXPECT_EQ(tcx_ingress_programs(ifindex_), 0);
}

TEST_F(TcAttachTest, AutoPicksTcxWhenAvailable) {
  auto attached = attach(AttachMode::kAuto);
  ASSERT_TRUE(attached.ok()) << attached.error().message();
  EXPECT_EQ(attached->uses_tcx(), kernel_has_tcx());
}

TEST_F(TcAttachTest, MissingInterfaceFails) {
  auto attached = TcAttachment::attach(999999, "nothere", sampler_->ingress_program_fd(),
                                       sampler_->egress_program_fd(), AttachMode::kAuto);
  ASSERT_FALSE(attached.ok());
  EXPECT_NE(attached.error().message().find("nothere"), std::string::npos);
}

TEST(AttachMode, ParsesNames) {
  EXPECT_EQ(*parse_attach_mode("auto"), AttachMode::kAuto);
  EXPECT_EQ(*parse_attach_mode("tcx"), AttachMode::kTcx);
  EXPECT_EQ(*parse_attach_mode("tc"), AttachMode::kClassic);
  EXPECT_FALSE(parse_attach_mode("xdp").ok());
}

}  // namespace
}  // namespace csflowd::datapath
