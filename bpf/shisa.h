/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Structs exchanged between the eBPF programs and the loader. Both sides include
 * this header, so a map's key or value cannot drift between kernel and userspace.
 * The BPF side gets __u64 and friends from vmlinux.h, the loader from linux/types.h.
 */
#ifndef SHISA_H
#define SHISA_H

/* Indices of shisa_runs: each program counts its own runs (per CPU), so run counts
 * need no kernel-wide bpf_enable_stats, which adds two clock reads to every run. */
enum shisa_prog_index {
	SHISA_PROG_SOCKOPS = 0,
	SHISA_PROG_CONNECT4 = 1,
	SHISA_PROG_CONNECT6 = 2,
	SHISA_PROGS = 3,
};

/* log2 buckets of connect latency in microseconds: slot k counts [2^(k-1), 2^k) µs,
 * slot 0 counts < 1 µs; the last slot takes everything from 2^25 µs (~33 s) up. */
#define SHISA_HIST_SLOTS 27
#define SHISA_MAX_DESTS 16384
#define SHISA_MAX_POLICIES 1024
#define SHISA_CONNECT_SLOTS 65536 /* connects in flight, by socket cookie modulo this */
#define SHISA_OWNER_SLOTS 4096    /* task cgroup -> attached cgroup cache, by id modulo this */

/* Indices of the shisa_gate array: while both are zero no connect on the node can be
 * refused, and connect4/6 admit after one array read. */
enum shisa_gate_index {
	SHISA_GATE_UNSETTLED = 0, /* breakers the kernel holds open or half-open (kernel-written) */
	SHISA_GATE_FORCED = 1,    /* destinations userspace forces open or closed (loader-written) */
	SHISA_GATE_OWNERS_GEN = 2, /* bumped by the loader when the attached set changes */
	SHISA_GATE_SLOTS = 3,
};

enum shisa_breaker_state {
	SHISA_CLOSED = 0,
	SHISA_OPEN = 1,
	SHISA_HALF_OPEN = 2,
};

/* Value of shisa_forced, written only by the loader. */
enum shisa_force {
	SHISA_FORCE_NONE = 0,   /* the kernel decides from connect outcomes (no entry) */
	SHISA_FORCE_OPEN = 1,   /* refuse every connect until userspace lifts it */
	SHISA_FORCE_CLOSED = 2, /* admit every connect and never trip */
};

/* Why a breaker changed state (shisa_event.cause). */
enum shisa_cause {
	SHISA_CAUSE_FAILURES = 1,     /* closed -> open: threshold consecutive failures */
	SHISA_CAUSE_COOLDOWN = 2,     /* open -> half-open: cooldown over, one probe admitted */
	SHISA_CAUSE_PROBE_OK = 3,     /* half-open -> closed */
	SHISA_CAUSE_PROBE_FAILED = 4, /* half-open -> open, cooldown doubled */
	SHISA_CAUSE_NO_HALF_OPEN = 5, /* open -> closed after the cooldown, policy without half-open */
	SHISA_CAUSE_FORCED = 6,       /* userspace forced the state (reported by the loader) */
};

/* One destination as seen from one cgroup. IPv4 addresses are stored v4-mapped
 * (::ffff:a.b.c.d) so connect4, connect6 on dual-stack sockets and sockops agree. */
struct shisa_dest {
	__u64 cgroup_id;
	__u8 addr[16];
	__u16 port; /* host byte order */
	__u16 pad0;
	__u32 pad1;
};

struct shisa_latency {
	__u64 slots[SHISA_HIST_SLOTS];
	__u64 connects; /* reached ESTABLISHED */
	__u64 failures; /* SYN_SENT -> CLOSE: refused, timed out or abandoned */
	__u64 rto;      /* retransmission timeouts while connecting */
	__u64 sum_us;
	__u64 streak;   /* failures since the last success: lets a success skip the breaker */
};

/* Breaker policy. Keyed by struct shisa_dest: a destination of a cgroup, else the
 * whole cgroup (address and port zero), else the node (all zero). */
struct shisa_policy {
	__u32 threshold;      /* consecutive failures that open the breaker; 0 = never */
	__u32 half_open;      /* 1: one probe after the cooldown; 0: close after it */
	__u64 cooldown_ns;    /* first ejection */
	__u64 max_cooldown_ns; /* cap for the doubling */
};

/* The kernel's automatic state; only the programs write it (a force lives in
 * shisa_forced, so userspace never races the kernel on this value). */
struct shisa_breaker {
	__u32 state;    /* enum shisa_breaker_state */
	__u32 failures; /* consecutive failures while closed */
	__u64 opened_at_ns; /* bpf_ktime_get_ns() when it last opened */
	__u64 cooldown_ns;  /* current ejection; doubles on a failed probe */
	__u64 probe_at_ns;  /* when the half-open probe was admitted */
	__u64 refused;      /* connects refused while open */
	__u64 transitions;  /* state changes since the entry was created */
};

struct shisa_event {
	struct shisa_dest dest;
	__u32 state; /* the new state */
	__u32 cause; /* enum shisa_cause */
	__u64 ts_ns;
	__u64 cooldown_ns;
	__u32 failures;
	__u32 pad;
};

#endif /* SHISA_H */
