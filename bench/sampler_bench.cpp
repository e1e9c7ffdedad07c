// Measures the per-packet cost of the tc sampler program sflow_ingress with BPF_PROG_TEST_RUN
// and compares it with a tc program that does nothing, measured in the same process and the
// same rounds. Needs root (CAP_BPF and CAP_NET_ADMIN). See bench/README.md.
#include <bpf/bpf.h>
#include <linux/pkt_cls.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench_noop.skel.h"
#include "datapath/sampler.h"
#include "support/frames.h"

namespace {

using csflowd::Result;
using csflowd::Status;
using csflowd::datapath::Sampler;
using csflowd::datapath::SamplerOptions;

// BPF_PROG_TEST_RUN gives the skb the loopback device, so the rates are set on ifindex 1.
constexpr int kLoopbackIfindex = 1;

struct Options {
  uint32_t repeat = 1000000;
  int runs = 7;
  std::vector<uint32_t> rates{0, 1, 10, 400, 4000};
  std::vector<uint32_t> frame_sizes{64, 1500};
  uint32_t header_bytes = 128;
  // Rate 1 selects every one of `repeat` packets. A 256 MiB ring has room for 1,000,000 records
  // of 128 frame bytes (plus a 32-byte record and an 8-byte ring header each), so none drop.
  uint32_t ring_bytes = 256U << 20;
};

// Per-packet times of one BPF_PROG_TEST_RUN call.
struct Timing {
  double kernel_ns = 0;  // opts.duration: the kernel's average per repetition, whole ns
  double wall_ns = 0;    // the call's wall time divided by the repetitions
};

// Measurements of one program on one frame size over all runs.
struct Row {
  std::string program;
  uint32_t frame_size = 0;
  bool baseline = false;
  uint32_t rate = 0;
  std::vector<double> kernel_ns;
  std::vector<double> wall_ns;
  std::vector<double> ratio;     // kernel_ns of this run divided by the baseline's of the same run
  std::vector<double> extra_ns;  // kernel_ns of this run minus the baseline's of the same run
  uint64_t samples = 0;          // summed over all runs
  uint64_t drops = 0;
  uint64_t received = 0;
};

Result<Timing> run_program(int fd, const std::vector<uint8_t>& frame, uint32_t repeat) {
  bpf_test_run_opts opts{};
  opts.sz = sizeof(opts);
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<uint32_t>(frame.size());
  opts.repeat = repeat;
  auto start = std::chrono::steady_clock::now();
  if (bpf_prog_test_run_opts(fd, &opts) != 0) {
    return csflowd::errno_error("BPF_PROG_TEST_RUN failed on program fd " + std::to_string(fd));
  }
  std::chrono::duration<double, std::nano> wall = std::chrono::steady_clock::now() - start;
  if (static_cast<int>(opts.retval) != TC_ACT_UNSPEC) {
    return csflowd::plain_error("program returned " + std::to_string(opts.retval) +
                                " instead of TC_ACT_UNSPEC");
  }
  return Timing{static_cast<double>(opts.duration), wall.count() / repeat};
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2;
}

class Bench {
 public:
  Bench(const Options& options, std::unique_ptr<Sampler> sampler, bench_noop* noop)
      : options_(options), sampler_(std::move(sampler)), noop_(noop) {}
  ~Bench() { bench_noop__destroy(noop_); }
  Bench(const Bench&) = delete;
  Bench& operator=(const Bench&) = delete;

  Status setup();
  Status run_round();
  void print() const;

 private:
  Status measure_rate(Row& row, const std::vector<uint8_t>& frame, double baseline_ns);

  Options options_;
  std::unique_ptr<Sampler> sampler_;
  bench_noop* noop_;
  std::vector<Row> rows_;
  uint64_t received_ = 0;
};

Status Bench::setup() {
  auto status = sampler_->set_sample_handler([this](const auto&) { ++received_; });
  if (!status) return status;
  for (uint32_t size : options_.frame_sizes) {
    Row baseline;
    baseline.program = "noop";
    baseline.frame_size = size;
    baseline.baseline = true;
    rows_.push_back(baseline);
    for (uint32_t rate : options_.rates) {
      Row row;
      row.program = rate == 0 ? "rate 0 (count only)" : "rate " + std::to_string(rate);
      row.frame_size = size;
      row.rate = rate;
      rows_.push_back(row);
    }
  }
  return {};
}

// Runs the sampler at one rate, then drains the ring buffer outside the timed call.
Status Bench::measure_rate(Row& row, const std::vector<uint8_t>& frame, double baseline_ns) {
  if (auto status = sampler_->set_rate(kLoopbackIfindex, row.rate); !status) return status;
  auto before = sampler_->read_counters(kLoopbackIfindex);
  if (!before) return before.error();
  auto timing = run_program(sampler_->ingress_program_fd(), frame, options_.repeat);
  if (!timing) return timing.error();
  auto after = sampler_->read_counters(kLoopbackIfindex);
  if (!after) return after.error();
  received_ = 0;
  auto consumed = sampler_->consume();
  if (!consumed) return consumed.error();
  row.kernel_ns.push_back(timing->kernel_ns);
  row.wall_ns.push_back(timing->wall_ns);
  row.ratio.push_back(baseline_ns > 0 ? timing->kernel_ns / baseline_ns : 0);
  row.extra_ns.push_back(timing->kernel_ns - baseline_ns);
  row.samples += after->samples - before->samples;
  row.drops += after->drops - before->drops;
  row.received += received_;
  return {};
}

// Measures, for each frame size, the baseline and then every rate, so that a change in the
// machine's speed during the benchmark reaches the baseline and the sampler alike.
Status Bench::run_round() {
  for (Row& row : rows_) {
    auto frame = csflowd::test_support::make_udp_frame(row.frame_size);
    if (row.baseline) {
      auto timing = run_program(bpf_program__fd(noop_->progs.bench_noop), frame, options_.repeat);
      if (!timing) return timing.error();
      row.kernel_ns.push_back(timing->kernel_ns);
      row.wall_ns.push_back(timing->wall_ns);
      row.ratio.push_back(1.0);
      row.extra_ns.push_back(0);
      continue;
    }
    auto baseline = std::find_if(rows_.begin(), rows_.end(), [&](const Row& other) {
      return other.baseline && other.frame_size == row.frame_size;
    });
    if (auto status = measure_rate(row, frame, baseline->kernel_ns.back()); !status) return status;
  }
  return {};
}

void print_header(const Options& options) {
  utsname name{};
  uname(&name);
  std::printf("# BPF_PROG_TEST_RUN of sflow_ingress, %u repetitions per run, %d runs, kernel %s\n",
              options.repeat, options.runs, name.release);
  std::printf("# ns/pkt: median of the runs (min..max) of the kernel's per-repetition time;\n");
  std::printf("# wall: the call's wall time per repetition; ratio and +ns: median of the\n");
  std::printf("# per-run ratio to and difference from the no-op program on the same frame\n");
}

void Bench::print() const {
  print_header(options_);
  std::printf("%-6s %-20s %8s %12s %8s %7s %7s %12s %10s\n", "frame", "program", "ns/pkt",
              "min..max", "wall", "ratio", "+ns", "samples/run", "drops/run");
  for (const Row& row : rows_) {
    auto [low, high] = std::minmax_element(row.kernel_ns.begin(), row.kernel_ns.end());
    std::string range =
        std::to_string(static_cast<int>(*low)) + ".." + std::to_string(static_cast<int>(*high));
    auto runs = static_cast<uint64_t>(row.kernel_ns.size());
    std::printf("%-6u %-20s %8.1f %12s %8.2f %7.2f %7.1f %12llu %10llu\n", row.frame_size,
                row.program.c_str(), median(row.kernel_ns), range.c_str(), median(row.wall_ns),
                median(row.ratio), median(row.extra_ns),
                static_cast<unsigned long long>(row.samples / runs),
                static_cast<unsigned long long>(row.drops / runs));
    if (row.received != row.samples - row.drops) {
      std::printf("# warning: %s frame %u: %llu samples read from the ring, expected %llu\n",
                  row.program.c_str(), row.frame_size,
                  static_cast<unsigned long long>(row.received),
                  static_cast<unsigned long long>(row.samples - row.drops));
    }
  }
}

Result<std::unique_ptr<Bench>> make_bench(const Options& options) {
  auto sampler = Sampler::load(
      SamplerOptions{.header_bytes = options.header_bytes, .ring_bytes = options.ring_bytes});
  if (!sampler) return sampler.error();
  bench_noop* noop = bench_noop__open_and_load();
  if (noop == nullptr) return csflowd::errno_error("failed to load the BPF object 'bench_noop'");
  auto bench = std::make_unique<Bench>(options, std::move(*sampler), noop);
  if (auto status = bench->setup(); !status) return status.error();
  return bench;
}

int bench_main(int argc, char** argv) {
  CLI::App app{"Time the tc sampler per packet with BPF_PROG_TEST_RUN against a no-op program."};
  Options options;
  app.add_option("--repeat", options.repeat, "repetitions of each BPF_PROG_TEST_RUN call")
      ->check(CLI::Range(1U, 100000000U))
      ->capture_default_str();
  app.add_option("--runs", options.runs, "rounds; each measures every program once")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--rates", options.rates, "sampling rates to measure (0 = count only)")
      ->delimiter(',');
  app.add_option("--frame-sizes", options.frame_sizes, "frame sizes in bytes (42..9000)")
      ->delimiter(',')
      ->check(CLI::Range(42U, 9000U));
  app.add_option("--header-bytes", options.header_bytes, "frame bytes copied into each sample")
      ->capture_default_str();
  app.add_option("--ring-bytes", options.ring_bytes, "ring buffer size, a power of two")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto bench = make_bench(options);
  if (!bench) {
    std::cerr << "sampler_bench: " << bench.error().message() << "\n";
    return 1;
  }
  for (int run = 0; run < options.runs; ++run) {
    if (auto status = (*bench)->run_round(); !status) {
      std::cerr << "sampler_bench: " << status.error().message() << "\n";
      return 1;
    }
  }
  (*bench)->print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return bench_main(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "sampler_bench: fatal error: " << error.what() << "\n";
    return 1;
  }
}
