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

/* A connect in flight, from TCP_CONNECT_CB to its outcome, in the slot of its socket
 * cookie modulo SHISA_CONNECT_SLOTS. An array, not a hash: array lookups are inlined
 * and take no lock, where a hash insert and delete per connect cost ~0.7 µs here and
 * socket storage ~1 µs. Two connects in flight whose cookies share a slot (cookies are
 * sequential, so 65,536 apart) lose one sample; the cookie check keeps them apart. */
struct shisa_connecting {
	__u64 cookie;
	__u64 start_ns;
	__u64 cgroup_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SHISA_CONNECT_SLOTS);
	__type(key, __u32);
	__type(value, struct shisa_connecting);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_connects SEC(".maps") __weak;

/* Marks the one socket a half-open breaker let through (rare: socket storage is fine). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_probes SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SHISA_GATE_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_gate SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SHISA_MAX_POLICIES);
	__type(key, struct shisa_dest);
	__type(value, __u32); /* enum shisa_force */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_forced SEC(".maps") __weak;

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
 * belongs to (the pod), in the slot of its id modulo SHISA_OWNER_SLOTS. Filled on first
 * sight by walking the ancestors; an entry of an older generation (the loader bumps it
 * when the attached set changes) or of another cgroup is a miss. */
struct shisa_owner {
	__u64 cgroup_id;
	__u64 owner;
	__u64 gen;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SHISA_OWNER_SLOTS);
	__type(key, __u32);
	__type(value, struct shisa_owner);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_owners SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SHISA_PROGS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_runs SEC(".maps") __weak;

static __always_inline void shisa_count_run(__u32 prog)
{
	__u64 *n = bpf_map_lookup_elem(&shisa_runs, &prog);
	if (n)
		*n += 1; /* this CPU's slot: no atomic needed */
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shisa_events SEC(".maps") __weak;

#endif /* SHISA_MAPS_BPF_H */
