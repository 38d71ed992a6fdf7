/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The breaker's state machine, shared by the sockops program (which sees connect
 * outcomes) and the connect4/6 programs (which admit or refuse). Transitions are made
 * with compare-and-swap on the state word, so of two CPUs racing for the same
 * transition exactly one wins and reports it.
 *
 *   closed --threshold consecutive failures--> open
 *   open --cooldown over, first connect wins--> half-open (that connect is the probe)
 *   half-open --probe established--> closed (cooldown back to the policy's)
 *   half-open --probe failed--> open (cooldown doubled, up to the cap)
 */
#ifndef SHISA_BREAKER_BPF_H
#define SHISA_BREAKER_BPF_H

#include "maps.bpf.h"

/* Node defaults, set by the loader before load; a policy map entry overrides them. */
extern const volatile __u32 shisa_default_threshold;
extern const volatile __u64 shisa_default_cooldown_ns;
extern const volatile __u64 shisa_default_max_cooldown_ns;

/* The destination's own policy, else its cgroup's, else the node's, else the defaults.
 * Only failures and the end of a cooldown look a policy up, never the fast path. */
static __always_inline struct shisa_policy shisa_policy_for(const struct shisa_dest *dest)
{
	struct shisa_policy *p = bpf_map_lookup_elem(&shisa_policies, dest);
	if (!p) {
		struct shisa_dest key = { .cgroup_id = dest->cgroup_id };
		p = bpf_map_lookup_elem(&shisa_policies, &key);
		if (!p) {
			key.cgroup_id = 0;
			p = bpf_map_lookup_elem(&shisa_policies, &key);
		}
	}
	if (p)
		return *p;
	struct shisa_policy d = {
		.threshold = shisa_default_threshold,
		.half_open = 1,
		.cooldown_ns = shisa_default_cooldown_ns,
		.max_cooldown_ns = shisa_default_max_cooldown_ns,
	};
	return d;
}

static __always_inline void shisa_emit(const struct shisa_dest *dest, const struct shisa_breaker *b,
				       __u32 state, __u32 cause, __u64 now)
{
	struct shisa_event *e = bpf_ringbuf_reserve(&shisa_events, sizeof(*e), 0);
	if (!e)
		return; /* ring full: the state change still happened; userspace re-reads the map */
	e->dest = *dest;
	e->state = state;
	e->cause = cause;
	e->ts_ns = now;
	e->cooldown_ns = b->cooldown_ns;
	e->failures = b->failures;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline __u64 *shisa_gate_slot(__u32 index)
{
	return bpf_map_lookup_elem(&shisa_gate, &index);
}

#define SHISA_MAX_CGROUP_DEPTH 16

/* The attached cgroup the current task belongs to: its own cgroup if attached, else the
 * deepest attached ancestor (a pod's cgroup for a process in one of its containers).
 * One inlined array read when cached; the ancestor walk runs once per task cgroup and
 * generation. Process context only. */
static __always_inline __u64 shisa_owner_cgroup(void)
{
	__u64 leaf = bpf_get_current_cgroup_id();
	__u32 slot = (__u32)(leaf % SHISA_OWNER_SLOTS);
	struct shisa_owner *cached = bpf_map_lookup_elem(&shisa_owners, &slot);
	__u64 *gen = shisa_gate_slot(SHISA_GATE_OWNERS_GEN);
	if (!cached || !gen)
		return leaf;
	if (cached->cgroup_id == leaf && cached->gen == *gen)
		return cached->owner;
	__u64 owner = leaf;
	for (int level = 0; level < SHISA_MAX_CGROUP_DEPTH; level++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(level);
		if (id == 0)
			break;
		if (bpf_map_lookup_elem(&shisa_attached, &id))
			owner = id;
	}
	cached->cgroup_id = leaf;
	cached->owner = owner;
	cached->gen = *gen;
	return owner;
}

/* Keeps SHISA_GATE_UNSETTLED equal to the number of breakers not closed: only the CPU
 * that wins a transition's compare-and-swap counts it, so every open is matched by
 * exactly one close. */
static __always_inline int shisa_transition(struct shisa_breaker *b, __u32 from, __u32 to)
{
	if (__sync_val_compare_and_swap(&b->state, from, to) != from)
		return 0;
	__sync_fetch_and_add(&b->transitions, 1);
	__s64 delta = (from == SHISA_CLOSED) - (to == SHISA_CLOSED);
	if (delta) {
		__u64 *unsettled = shisa_gate_slot(SHISA_GATE_UNSETTLED);
		if (unsettled)
			__sync_fetch_and_add(unsettled, delta);
	}
	return 1;
}

/* The operator's override for a destination, if any. */
static __always_inline __u32 shisa_forced_mode(const struct shisa_dest *dest)
{
	__u64 *forced = shisa_gate_slot(SHISA_GATE_FORCED);
	if (!forced || *forced == 0)
		return SHISA_FORCE_NONE;
	__u32 *mode = bpf_map_lookup_elem(&shisa_forced, dest);
	return mode ? *mode : SHISA_FORCE_NONE;
}

/* Whether this socket is the probe a half-open breaker admitted. */
static __always_inline int shisa_is_probe(struct bpf_sock *sk)
{
	__u32 *probe = bpf_sk_storage_get(&shisa_probes, sk, 0, 0);
	return probe && *probe;
}

/* A connect from this destination failed (SYN_SENT -> CLOSE). */
static __always_inline void shisa_breaker_failure(const struct shisa_dest *dest, struct bpf_sock *sk, __u64 now)
{
	struct shisa_policy p = shisa_policy_for(dest);
	if (p.threshold == 0)
		return; /* no breaker for this destination */
	if (shisa_forced_mode(dest) != SHISA_FORCE_NONE)
		return; /* the operator decides */
	struct shisa_breaker *b = bpf_map_lookup_elem(&shisa_breakers, dest);
	if (!b) {
		struct shisa_breaker fresh = {};
		bpf_map_update_elem(&shisa_breakers, dest, &fresh, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&shisa_breakers, dest);
		if (!b)
			return;
	}
	__u32 state = b->state;
	if (state == SHISA_CLOSED) {
		__u32 failures = __sync_fetch_and_add(&b->failures, 1) + 1;
		if (failures < p.threshold)
			return;
		/* Write the clock before publishing OPEN, so an admitting CPU that sees OPEN
		 * never reads a stale opened_at. A losing CPU rewrites nearly the same time. */
		b->opened_at_ns = now;
		b->cooldown_ns = p.cooldown_ns;
		if (shisa_transition(b, SHISA_CLOSED, SHISA_OPEN))
			shisa_emit(dest, b, SHISA_OPEN, SHISA_CAUSE_FAILURES, now);
	} else if (state == SHISA_HALF_OPEN && shisa_is_probe(sk)) {
		__u64 doubled = b->cooldown_ns * 2;
		b->cooldown_ns = doubled < p.max_cooldown_ns ? doubled : p.max_cooldown_ns;
		b->opened_at_ns = now;
		if (shisa_transition(b, SHISA_HALF_OPEN, SHISA_OPEN))
			shisa_emit(dest, b, SHISA_OPEN, SHISA_CAUSE_PROBE_FAILED, now);
	}
	/* Failures while open belong to connects started before it opened: ignored. */
}

/* A connect to this destination reached ESTABLISHED. */
static __always_inline void shisa_breaker_success(const struct shisa_dest *dest, struct bpf_sock *sk, __u64 now)
{
	struct shisa_breaker *b = bpf_map_lookup_elem(&shisa_breakers, dest);
	if (!b)
		return; /* never failed: nothing to reset, and no entry is created on the fast path */
	if (b->state == SHISA_CLOSED) {
		if (b->failures != 0)
			b->failures = 0;
	} else if (b->state == SHISA_HALF_OPEN && shisa_is_probe(sk)) {
		struct shisa_policy p = shisa_policy_for(dest);
		b->failures = 0;
		b->cooldown_ns = p.cooldown_ns;
		if (shisa_transition(b, SHISA_HALF_OPEN, SHISA_CLOSED))
			shisa_emit(dest, b, SHISA_CLOSED, SHISA_CAUSE_PROBE_OK, now);
	}
}

#endif /* SHISA_BREAKER_BPF_H */
