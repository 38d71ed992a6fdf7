// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Circuit breaker (cgroup/connect4 and cgroup/connect6 on a workload's cgroup v2).
 * A connect to a destination whose breaker is open fails at once with ECONNREFUSED:
 * the program runs before the socket is bound or routed, so no SYN leaves the host.
 * The fast path — no breaker open, half-open or forced anywhere on the node — is one
 * array read; otherwise the task's attached cgroup and the destination's entries are
 * looked up.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "breaker.bpf.h"

#define ECONNREFUSED 111
#define SOCK_STREAM_TYPE 1
#define PROBE_LOST_NS (130ULL * 1000 * 1000 * 1000)

/* Node defaults for the breaker policy; the loader sets them before load. */
const volatile __u32 shisa_default_threshold = 5;
const volatile __u64 shisa_default_cooldown_ns = 30ULL * 1000 * 1000 * 1000;
const volatile __u64 shisa_default_max_cooldown_ns = 300ULL * 1000 * 1000 * 1000;

static __always_inline int refuse(struct shisa_breaker *b)
{
	if (b)
		__sync_fetch_and_add(&b->refused, 1);
	bpf_set_retval(-ECONNREFUSED);
	return 0;
}

static __always_inline void mark_probe(struct bpf_sock *sk)
{
	__u32 *probe = bpf_sk_storage_get(&shisa_probes, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (probe)
		*probe = 1;
}

static __always_inline int admit(struct bpf_sock_addr *ctx, const struct shisa_dest *d, __u64 unsettled)
{
	struct shisa_breaker *b = bpf_map_lookup_elem(&shisa_breakers, d);
	__u32 forced = shisa_forced_mode(d);
	if (forced == SHISA_FORCE_OPEN)
		return refuse(b);
	if (forced == SHISA_FORCE_CLOSED || !b || unsettled == 0)
		return 1;
	__u32 state = b->state;
	if (state == SHISA_CLOSED)
		return 1;
	__u64 now = bpf_ktime_get_ns();
	if (state == SHISA_OPEN) {
		if (now - b->opened_at_ns < b->cooldown_ns)
			return refuse(b);
		struct shisa_policy p = shisa_policy_for(d);
		if (!p.half_open) {
			b->failures = 0;
			if (shisa_transition(b, SHISA_OPEN, SHISA_CLOSED))
				shisa_emit(d, b, SHISA_CLOSED, SHISA_CAUSE_NO_HALF_OPEN, now);
			return 1;
		}
		/* Concurrent connects race here; the compare-and-swap admits exactly one. */
		b->probe_at_ns = now;
		if (!shisa_transition(b, SHISA_OPEN, SHISA_HALF_OPEN))
			return refuse(b);
		struct bpf_sock *sk = ctx->sk;
		if (sk)
			mark_probe(sk);
		shisa_emit(d, b, SHISA_HALF_OPEN, SHISA_CAUSE_COOLDOWN, now);
		return 1;
	}
	/* Half-open: the probe is in flight. If it vanished without an outcome (its
	 * connect failed before a SYN left, so sockops never saw it), admit a new probe
	 * once a live one would surely have reported: Linux gives up on a SYN after
	 * ~127 s with default retries. */
	__u64 probe_at = b->probe_at_ns;
	if (now - probe_at >= PROBE_LOST_NS &&
	    __sync_val_compare_and_swap(&b->probe_at_ns, probe_at, now) == probe_at) {
		struct bpf_sock *sk = ctx->sk;
		if (sk)
			mark_probe(sk);
		return 1;
	}
	return refuse(b);
}

/* Nothing open, half-open or forced anywhere on the node: every connect is admitted.
 * Returns the number of unsettled breakers through *unsettled otherwise. */
static __always_inline int all_clear(__u64 *unsettled)
{
	__u64 *u = shisa_gate_slot(SHISA_GATE_UNSETTLED);
	__u64 *f = shisa_gate_slot(SHISA_GATE_FORCED);
	if (!u || !f)
		return 1;
	*unsettled = *u;
	return *u == 0 && *f == 0;
}

SEC("cgroup/connect4")
int shisa_connect4(struct bpf_sock_addr *ctx)
{
	shisa_count_run(SHISA_PROG_CONNECT4);
	__u64 unsettled;
	if (ctx->type != SOCK_STREAM_TYPE || all_clear(&unsettled))
		return 1;
	struct shisa_dest d = {};
	d.cgroup_id = shisa_owner_cgroup();
	d.addr[10] = 0xff;
	d.addr[11] = 0xff;
	__u32 ip = ctx->user_ip4;
	__builtin_memcpy(&d.addr[12], &ip, 4);
	d.port = bpf_ntohs((__u16)ctx->user_port);
	return admit(ctx, &d, unsettled);
}

SEC("cgroup/connect6")
int shisa_connect6(struct bpf_sock_addr *ctx)
{
	shisa_count_run(SHISA_PROG_CONNECT6);
	__u64 unsettled;
	if (ctx->type != SOCK_STREAM_TYPE || all_clear(&unsettled))
		return 1;
	struct shisa_dest d = {};
	d.cgroup_id = shisa_owner_cgroup();
	__u32 ip6[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };
	__builtin_memcpy(d.addr, ip6, 16);
	d.port = bpf_ntohs((__u16)ctx->user_port);
	return admit(ctx, &d, unsettled);
}
