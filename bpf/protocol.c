// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "protocol.h"

#include <arpa/inet.h>
#include <string.h>

#include "json.h"

const char *shisa_state_name(__u32 state)
{
	switch (state) {
	case SHISA_CLOSED: return "closed";
	case SHISA_OPEN: return "open";
	case SHISA_HALF_OPEN: return "half_open";
	default: return "unknown";
	}
}

const char *shisa_force_name(__u32 force)
{
	switch (force) {
	case SHISA_FORCE_OPEN: return "open";
	case SHISA_FORCE_CLOSED: return "closed";
	default: return "auto";
	}
}

const char *shisa_cause_name(__u32 cause)
{
	switch (cause) {
	case SHISA_CAUSE_FAILURES: return "failures";
	case SHISA_CAUSE_COOLDOWN: return "cooldown";
	case SHISA_CAUSE_PROBE_OK: return "probe_ok";
	case SHISA_CAUSE_PROBE_FAILED: return "probe_failed";
	case SHISA_CAUSE_NO_HALF_OPEN: return "cooldown_no_half_open";
	case SHISA_CAUSE_FORCED: return "forced";
	default: return "unknown";
	}
}

int shisa_force_parse(const char *s)
{
	if (!strcmp(s, "open"))
		return SHISA_FORCE_OPEN;
	if (!strcmp(s, "closed"))
		return SHISA_FORCE_CLOSED;
	if (!strcmp(s, "auto"))
		return SHISA_FORCE_NONE;
	return -1;
}

static const __u8 V4_MAPPED[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int shisa_addr_parse(const char *text, __u8 out[16])
{
	struct in_addr v4;
	if (inet_pton(AF_INET, text, &v4) == 1) {
		memcpy(out, V4_MAPPED, 12);
		memcpy(out + 12, &v4, 4);
		return 0;
	}
	struct in6_addr v6;
	if (inet_pton(AF_INET6, text, &v6) == 1) {
		memcpy(out, &v6, 16);
		return 0;
	}
	return -1;
}

void shisa_write_dest(FILE *f, const struct shisa_dest *d)
{
	char text[INET6_ADDRSTRLEN];
	if (!memcmp(d->addr, V4_MAPPED, 12))
		inet_ntop(AF_INET, d->addr + 12, text, sizeof(text));
	else
		inet_ntop(AF_INET6, d->addr, text, sizeof(text));
	fprintf(f, "\"cgroup_id\":%llu,\"addr\":", (unsigned long long)d->cgroup_id);
	json_write_string(f, text);
	fprintf(f, ",\"port\":%u", d->port);
}

void shisa_write_latency(FILE *f, const struct shisa_dest *d, const struct shisa_latency *l)
{
	fputc('{', f);
	shisa_write_dest(f, d);
	fprintf(f, ",\"slots\":[");
	for (int i = 0; i < SHISA_HIST_SLOTS; i++)
		fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)l->slots[i]);
	fprintf(f, "],\"connects\":%llu,\"failures\":%llu,\"rto\":%llu,\"sum_us\":%llu}",
		(unsigned long long)l->connects, (unsigned long long)l->failures, (unsigned long long)l->rto,
		(unsigned long long)l->sum_us);
}

void shisa_write_breaker(FILE *f, const struct shisa_dest *d, const struct shisa_breaker *b, __u32 force)
{
	fputc('{', f);
	shisa_write_dest(f, d);
	fprintf(f,
		",\"state\":\"%s\",\"force\":\"%s\",\"failures\":%u,\"cooldown_ns\":%llu,\"opened_at_ns\":%llu,"
		"\"probe_at_ns\":%llu,\"refused\":%llu,\"transitions\":%llu}",
		shisa_state_name(b->state), shisa_force_name(force), b->failures, (unsigned long long)b->cooldown_ns,
		(unsigned long long)b->opened_at_ns, (unsigned long long)b->probe_at_ns, (unsigned long long)b->refused,
		(unsigned long long)b->transitions);
}

void shisa_write_event(FILE *f, const struct shisa_event *e)
{
	fprintf(f, "{\"event\":\"breaker\",\"state\":\"%s\",\"cause\":\"%s\",", shisa_state_name(e->state),
		shisa_cause_name(e->cause));
	shisa_write_dest(f, &e->dest);
	fprintf(f, ",\"failures\":%u,\"cooldown_ns\":%llu,\"ts_ns\":%llu}\n", e->failures,
		(unsigned long long)e->cooldown_ns, (unsigned long long)e->ts_ns);
}
