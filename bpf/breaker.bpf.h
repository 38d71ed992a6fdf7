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

static __always_inline int shisa_transition(struct shisa_breaker *b, __u32 from, __u32 to)
{
	if (__sync_val_compare_and_swap(&b->state, from, to) != from)
		return 0;
	__sync_fetch_and_add(&b->transitions, 1);
	return 1;
}

/* A connect from this destination failed (SYN_SENT -> CLOSE). */
static __always_inline void shisa_breaker_failure(const struct shisa_dest *dest, int probe, __u64 now)
{
	struct shisa_policy p = shisa_policy_for(dest);
	if (p.threshold == 0)
		return; /* no breaker for this destination */
	struct shisa_breaker *b = bpf_map_lookup_elem(&shisa_breakers, dest);
	if (!b) {
		struct shisa_breaker fresh = {};
		bpf_map_update_elem(&shisa_breakers, dest, &fresh, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&shisa_breakers, dest);
		if (!b)
			return;
	}
	if (b->force != SHISA_FORCE_NONE)
		return;
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
	} else if (state == SHISA_HALF_OPEN && probe) {
		__u64 doubled = b->cooldown_ns * 2;
		b->cooldown_ns = doubled < p.max_cooldown_ns ? doubled : p.max_cooldown_ns;
		b->opened_at_ns = now;
		if (shisa_transition(b, SHISA_HALF_OPEN, SHISA_OPEN))
			shisa_emit(dest, b, SHISA_OPEN, SHISA_CAUSE_PROBE_FAILED, now);
	}
	/* Failures while open belong to connects started before it opened: ignored. */
}

/* A connect to this destination reached ESTABLISHED. */
static __always_inline void shisa_breaker_success(const struct shisa_dest *dest, int probe, __u64 now)
{
	struct shisa_breaker *b = bpf_map_lookup_elem(&shisa_breakers, dest);
	if (!b)
		return; /* never failed: nothing to reset, and no entry is created on the fast path */
	if (b->state == SHISA_CLOSED) {
		if (b->failures != 0)
			b->failures = 0;
	} else if (b->state == SHISA_HALF_OPEN && probe && b->force == SHISA_FORCE_NONE) {
		struct shisa_policy p = shisa_policy_for(dest);
		b->failures = 0;
		b->cooldown_ns = p.cooldown_ns;
		if (shisa_transition(b, SHISA_HALF_OPEN, SHISA_CLOSED))
			shisa_emit(dest, b, SHISA_CLOSED, SHISA_CAUSE_PROBE_OK, now);
	}
}

#endif /* SHISA_BREAKER_BPF_H */
