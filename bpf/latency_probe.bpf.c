// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Latency probe (sockops on a workload's cgroup v2). For each (cgroup, destination) it
 * keeps a log2 histogram of TCP connect latency in microseconds, from TCP_CONNECT_CB
 * (SYN about to leave) to ACTIVE_ESTABLISHED_CB (SYN-ACK in), and counts connects that
 * failed (SYN_SENT -> CLOSE) and retransmission timeouts while connecting. It feeds
 * every outcome to the circuit breaker, so a breaker opens in the kernel on the failure
 * that crosses the threshold, with no round trip to userspace.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "breaker.bpf.h"

#define TCP_SYN_SENT_STATE 2
#define TCP_CLOSE_STATE 7

/* Slot of a latency: 0 for < 1 µs, else floor(log2(us)) + 1, capped at the last slot.
 * Branch-free halving, so the verifier sees straight-line code. */
static __always_inline __u32 log2_slot(__u64 us)
{
	if (us == 0)
		return 0;
	__u32 r = 0, shift;
	shift = (us > 0xFFFFFFFFULL) << 5; us >>= shift; r |= shift;
	shift = (us > 0xFFFF) << 4; us >>= shift; r |= shift;
	shift = (us > 0xFF) << 3; us >>= shift; r |= shift;
	shift = (us > 0xF) << 2; us >>= shift; r |= shift;
	shift = (us > 0x3) << 1; us >>= shift; r |= shift;
	r |= (us >> 1);
	r += 1;
	return r < SHISA_HIST_SLOTS ? r : SHISA_HIST_SLOTS - 1;
}

static __always_inline void dest_of(struct bpf_sock_ops *skops, struct shisa_dest *d, __u64 cgroup_id)
{
	d->cgroup_id = cgroup_id;
	if (skops->family == 2 /* AF_INET */) {
		__u32 ip = skops->remote_ip4;
		d->addr[10] = 0xff;
		d->addr[11] = 0xff;
		__builtin_memcpy(&d->addr[12], &ip, 4);
	} else {
		__u32 ip6[4] = { skops->remote_ip6[0], skops->remote_ip6[1], skops->remote_ip6[2], skops->remote_ip6[3] };
		__builtin_memcpy(d->addr, ip6, 16);
	}
	/* remote_port holds the network-order port in its upper 16 bits. */
	d->port = (__u16)bpf_ntohl(skops->remote_port);
}

static __always_inline struct shisa_latency *latency_of(const struct shisa_dest *d)
{
	struct shisa_latency *l = bpf_map_lookup_elem(&shisa_latency, d);
	if (l)
		return l;
	struct shisa_latency fresh = {};
	bpf_map_update_elem(&shisa_latency, d, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&shisa_latency, d);
}

SEC("sockops")
int shisa_sockops(struct bpf_sock_ops *skops)
{
	shisa_count_run(SHISA_PROG_SOCKOPS);
	__u32 op = skops->op;
	/* Most callbacks (RTT, RWND, ECN, …) are not ours: leave before any work. */
	if (op == BPF_SOCK_OPS_TCP_CONNECT_CB) {
		/* Process context: the connecting task is current. */
		__u64 cookie = bpf_get_socket_cookie(skops);
		__u32 slot = (__u32)(cookie % SHISA_CONNECT_SLOTS);
		struct shisa_connecting *c = bpf_map_lookup_elem(&shisa_connects, &slot);
		if (c) {
			c->cookie = cookie;
			c->cgroup_id = shisa_owner_cgroup();
			c->start_ns = bpf_ktime_get_ns();
		}
		bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_STATE_CB_FLAG | BPF_SOCK_OPS_RTO_CB_FLAG);
		return 1;
	}
	int established = op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB;
	int failed = op == BPF_SOCK_OPS_STATE_CB && skops->args[0] == TCP_SYN_SENT_STATE && skops->args[1] == TCP_CLOSE_STATE;
	/* RTO_CB's args are (retransmits, rto, expired): the socket's state says it is a SYN. */
	int syn_timeout = op == BPF_SOCK_OPS_RTO_CB && skops->state == TCP_SYN_SENT_STATE;
	if (!established && !failed && !syn_timeout)
		return 1;

	__u64 cookie = bpf_get_socket_cookie(skops);
	__u32 slot = (__u32)(cookie % SHISA_CONNECT_SLOTS);
	struct shisa_connecting *c = bpf_map_lookup_elem(&shisa_connects, &slot);
	if (!c || c->cookie != cookie || c->start_ns == 0)
		return 1; /* not a connect we saw start, or its slot was taken */
	struct shisa_dest d = {};
	dest_of(skops, &d, c->cgroup_id);
	struct shisa_latency *l = latency_of(&d);

	if (syn_timeout) {
		if (l)
			__sync_fetch_and_add(&l->rto, 1);
		return 1;
	}
	__u64 now = bpf_ktime_get_ns();
	__u64 start = c->start_ns;
	c->start_ns = 0; /* accounted: a late callback for this socket finds nothing */
	struct bpf_sock *sk = skops->sk;
	if (established) {
		__u64 us = (now - start) / 1000;
		if (l) {
			__u32 bucket = log2_slot(us);
			if (bucket < SHISA_HIST_SLOTS)
				__sync_fetch_and_add(&l->slots[bucket], 1);
			__sync_fetch_and_add(&l->connects, 1);
			__sync_fetch_and_add(&l->sum_us, us);
		}
		/* A breaker needs telling only if this destination failed since its last success
		 * (a failure count to reset) or some breaker on the node is open or half-open
		 * (this may be its probe): otherwise skip the breaker lookup. */
		__u64 *unsettled = shisa_gate_slot(SHISA_GATE_UNSETTLED);
		int streak = l && l->streak;
		if (streak)
			l->streak = 0;
		if (sk && (streak || !l || (unsettled && *unsettled)))
			shisa_breaker_success(&d, sk, now);
		/* Stop further callbacks for this socket: the connect is accounted. */
		bpf_sock_ops_cb_flags_set(skops, 0);
		return 1;
	}
	if (l) {
		__sync_fetch_and_add(&l->failures, 1);
		__sync_fetch_and_add(&l->streak, 1);
	}
	if (sk)
		shisa_breaker_failure(&d, sk, now);
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
