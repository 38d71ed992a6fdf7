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
	struct bpf_sock *sk = skops->sk;
	if (!sk)
		return 1;
	__u32 op = skops->op;

	if (op == BPF_SOCK_OPS_TCP_CONNECT_CB) {
		struct shisa_conn *c = bpf_sk_storage_get(&shisa_conns, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (!c)
			return 1;
		c->start_ns = bpf_ktime_get_ns();
		/* Process context, right after connect4/6 ran for this same connect and cached
		 * which attached cgroup the task belongs to. */
		__u64 leaf = bpf_get_current_cgroup_id();
		__u64 *owner = bpf_map_lookup_elem(&shisa_owners, &leaf);
		c->cgroup_id = owner ? *owner : leaf;
		bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_STATE_CB_FLAG | BPF_SOCK_OPS_RTO_CB_FLAG);
		return 1;
	}
	if (op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB && op != BPF_SOCK_OPS_STATE_CB && op != BPF_SOCK_OPS_RTO_CB)
		return 1;

	struct shisa_conn *c = bpf_sk_storage_get(&shisa_conns, sk, 0, 0);
	if (!c || c->start_ns == 0)
		return 1; /* not a connect we saw start, or already accounted */
	__u64 now = bpf_ktime_get_ns();
	struct shisa_dest d = {};
	dest_of(skops, &d, c->cgroup_id);

	if (op == BPF_SOCK_OPS_RTO_CB) {
		/* args are (retransmits, rto, expired); only timeouts of a SYN count here. */
		if (skops->state == TCP_SYN_SENT_STATE) {
			struct shisa_latency *l = latency_of(&d);
			if (l)
				__sync_fetch_and_add(&l->rto, 1);
		}
		return 1;
	}
	if (op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB) {
		__u64 us = (now - c->start_ns) / 1000;
		c->start_ns = 0;
		struct shisa_latency *l = latency_of(&d);
		if (l) {
			__u32 slot = log2_slot(us);
			if (slot < SHISA_HIST_SLOTS)
				__sync_fetch_and_add(&l->slots[slot], 1);
			__sync_fetch_and_add(&l->connects, 1);
			__sync_fetch_and_add(&l->sum_us, us);
		}
		shisa_breaker_success(&d, c->probe, now);
		/* Stop further callbacks for this socket: the connect is accounted. */
		bpf_sock_ops_cb_flags_set(skops, 0);
		return 1;
	}
	/* STATE_CB: args[0] old state, args[1] new state. */
	if (skops->args[0] == TCP_SYN_SENT_STATE && skops->args[1] == TCP_CLOSE_STATE) {
		c->start_ns = 0;
		struct shisa_latency *l = latency_of(&d);
		if (l)
			__sync_fetch_and_add(&l->failures, 1);
		shisa_breaker_failure(&d, c->probe, now);
	}
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
