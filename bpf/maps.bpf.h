/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Maps shared by the latency probe and the circuit breaker. Both objects include this
 * header and are linked into one (bpftool gen object); __weak lets the linker merge the
 * two identical definitions. Every map is pinned by name, so a restarted loader reuses
 * the state the kernel kept enforcing while it was gone.
 */
#ifndef SHISA_MAPS_BPF_H
#define SHISA_MAPS_BPF_H

#include "shisa.h"

/* Per-socket state, created at connect: when it started, whose it is, and whether
 * it is the one probe a half-open breaker let through. */
struct shisa_conn {
	__u64 start_ns;
	__u64 cgroup_id;
	__u32 probe;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct shisa_conn);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_conns SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SHISA_MAX_DESTS);
	__type(key, struct shisa_dest);
	__type(value, struct shisa_latency);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_latency SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SHISA_MAX_DESTS);
	__type(key, struct shisa_dest);
	__type(value, struct shisa_breaker);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_breakers SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SHISA_MAX_POLICIES);
	__type(key, struct shisa_dest); /* see shisa_policy_for() for the fallbacks */
	__type(value, struct shisa_policy);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_policies SEC(".maps") __weak;

/* Cgroups the loader attached to (ids as keys). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SHISA_MAX_POLICIES);
	__type(key, __u64);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_attached SEC(".maps") __weak;

/* Cache: the cgroup a task runs in (a pod's container, say) -> the attached cgroup it
 * belongs to (the pod). Filled on first sight by walking the ancestors; the loader
 * clears it whenever the attached set changes. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SHISA_MAX_DESTS);
	__type(key, __u64);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_owners SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_events SEC(".maps") __weak;

#endif /* SHISA_MAPS_BPF_H */
