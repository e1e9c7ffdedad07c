#include "datapath/sampler.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <string>
#include <vector>

#include "sampler.skel.h"

namespace csflowd::datapath {
namespace {

Status check_options(const SamplerOptions& options) {
  if (options.header_bytes == 0 || options.header_bytes > CSFLOWD_MAX_HEADER_BYTES) {
    return plain_error("invalid header size " + std::to_string(options.header_bytes) +
                       ": must be 1.." + std::to_string(CSFLOWD_MAX_HEADER_BYTES));
  }
  auto page = static_cast<uint32_t>(sysconf(_SC_PAGESIZE));
  uint32_t ring = options.ring_bytes;
  if (ring < page || (ring & (ring - 1)) != 0) {
    return plain_error("invalid ring buffer size " + std::to_string(ring) +
                       ": must be a power of two and at least " + std::to_string(page));
  }
  return {};
}

}  // namespace

Sampler::Sampler(struct sampler* skeleton, uint32_t header_bytes)
    : skeleton_(skeleton), header_bytes_(header_bytes), cpu_count_(libbpf_num_possible_cpus()) {}

Sampler::~Sampler() {
  ring_buffer__free(ring_);
  sampler__destroy(skeleton_);
}

Result<std::unique_ptr<Sampler>> Sampler::load(const SamplerOptions& options) {
  if (auto status = check_options(options); !status) {
    return status.error();
  }
  struct sampler* skeleton = sampler__open();
  if (skeleton == nullptr) {
    return errno_error("failed to open the BPF object 'sampler'");
  }
  std::unique_ptr<Sampler> self(new Sampler(skeleton, options.header_bytes));
  if (self->cpu_count_ <= 0) {
    return make_error(self->cpu_count_, "failed to count the possible CPUs");
  }
  skeleton->rodata->header_bytes = options.header_bytes;
  int err = bpf_map__set_max_entries(skeleton->maps.samples, options.ring_bytes);
  if (err != 0) {
    return make_error(err, "failed to size the ring buffer 'samples'");
  }
  err = sampler__load(skeleton);
  if (err != 0) {
    return make_error(err,
                      "failed to load the BPF object 'sampler' (see the libbpf messages above)");
  }
  return self;
}

int Sampler::ingress_program_fd() const { return bpf_program__fd(skeleton_->progs.sflow_ingress); }

int Sampler::egress_program_fd() const { return bpf_program__fd(skeleton_->progs.sflow_egress); }

Status Sampler::set_rate(int ifindex, uint32_t rate) {
  csflowd_sampler_stats initial{};
  initial.sampling_rate = rate;
  std::vector<csflowd_sampler_stats> per_cpu(cpu_count_, initial);
  for (uint32_t direction : {CSFLOWD_DIR_INGRESS, CSFLOWD_DIR_EGRESS}) {
    csflowd_sampler_key key{static_cast<uint32_t>(ifindex), direction};
    if (bpf_map_update_elem(bpf_map__fd(skeleton_->maps.if_stats), &key, per_cpu.data(), BPF_ANY) !=
        0) {
      return errno_error("failed to set the sampling rate of ifindex " + std::to_string(ifindex));
    }
  }
  return {};
}

Status Sampler::forget(int ifindex) {
  Status status;
  for (uint32_t direction : {CSFLOWD_DIR_INGRESS, CSFLOWD_DIR_EGRESS}) {
    csflowd_sampler_key key{static_cast<uint32_t>(ifindex), direction};
    if (bpf_map_delete_elem(bpf_map__fd(skeleton_->maps.if_stats), &key) != 0 && errno != ENOENT &&
        status) {
      status = errno_error("failed to delete the counters of ifindex " + std::to_string(ifindex));
    }
  }
  return status;
}

Status Sampler::read_direction(int ifindex, uint32_t direction, SamplerCounters& sum) const {
  csflowd_sampler_key key{static_cast<uint32_t>(ifindex), direction};
  std::vector<csflowd_sampler_stats> per_cpu(cpu_count_);
  if (bpf_map_lookup_elem(bpf_map__fd(skeleton_->maps.if_stats), &key, per_cpu.data()) != 0) {
    return errno_error("failed to read the counters of ifindex " + std::to_string(ifindex));
  }
  for (const auto& cpu : per_cpu) {
    sum.pool += cpu.pool;
    sum.samples += cpu.samples;
    sum.drops += cpu.drops;
  }
  return {};
}

Result<SamplerCounters> Sampler::read_counters(int ifindex) const {
  SamplerCounters sum;
  for (uint32_t direction : {CSFLOWD_DIR_INGRESS, CSFLOWD_DIR_EGRESS}) {
    if (auto status = read_direction(ifindex, direction, sum); !status) {
      return status.error();
    }
  }
  return sum;
}

int Sampler::on_sample(void* context, void* data, size_t size) {
  auto* self = static_cast<Sampler*>(context);
  if (size < sizeof(csflowd_sample)) {
    return 0;  // shorter than this object writes: skip it rather than read past its end
  }
  const auto* record = static_cast<const csflowd_sample*>(data);
  size_t length = record->header_length;
  if (length > size - sizeof(csflowd_sample)) {
    length = size - sizeof(csflowd_sample);
  }
  self->handler_(SampleView{record, {record->header, length}});
  return 0;
}

Status Sampler::set_sample_handler(SampleHandler handler) {
  handler_ = std::move(handler);
  if (ring_ != nullptr) {
    return {};
  }
  ring_ = ring_buffer__new(bpf_map__fd(skeleton_->maps.samples), on_sample, this, nullptr);
  if (ring_ == nullptr) {
    return errno_error("failed to open the ring buffer 'samples'");
  }
  return {};
}

int Sampler::ring_epoll_fd() const { return ring_ == nullptr ? -1 : ring_buffer__epoll_fd(ring_); }

Result<int> Sampler::consume() {
  if (ring_ == nullptr) {
    return 0;
  }
  int count = ring_buffer__consume(ring_);
  if (count < 0) {
    return make_error(count, "failed to read the ring buffer 'samples'");
  }
  return count;
}

}  // namespace csflowd::datapath
