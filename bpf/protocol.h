/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * How the loader writes kernel structs as NDJSON for the agent, and reads the
 * destinations the agent names. docs/enforcer.md lists every message.
 */
#ifndef SHISA_PROTOCOL_H
#define SHISA_PROTOCOL_H

#include <stdio.h>
#include <linux/types.h>
#include "shisa.h"

const char *shisa_state_name(__u32 state);
const char *shisa_force_name(__u32 force);
const char *shisa_cause_name(__u32 cause);
/* "open" | "closed" | "auto" -> enum shisa_force; -1 if unknown. */
int shisa_force_parse(const char *s);

/* Text address (IPv4 or IPv6) into the map's 16-byte form (IPv4 v4-mapped); -1 if invalid. */
int shisa_addr_parse(const char *text, __u8 out[16]);
/* Writes "addr":"…","port":N,"cgroup_id":N (no braces). */
void shisa_write_dest(FILE *f, const struct shisa_dest *d);

void shisa_write_latency(FILE *f, const struct shisa_dest *d, const struct shisa_latency *l);
void shisa_write_breaker(FILE *f, const struct shisa_dest *d, const struct shisa_breaker *b, __u32 force);
void shisa_write_event(FILE *f, const struct shisa_event *e);

#endif /* SHISA_PROTOCOL_H */
