// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * shisa-loader: loads the latency probe and circuit breaker, attaches them to cgroups,
 * pins maps and links under --pin-dir so enforcement outlives this process, and speaks
 * newline-delimited JSON with the enforcer agent: one request per stdin line, one reply
 * per request and breaker events on stdout, diagnostics on stderr. It exits on EOF or
 * "quit", leaving everything pinned; "uninstall" removes it all.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "json.h"
#include "protocol.h"
#include "shisa.skel.h"

#define LINE_MAX_BYTES 8192
#define NS_PER_MS 1000000ULL

static struct shisa *skel;
static char pin_dir[PATH_MAX - 64] = "/sys/fs/bpf/shisa";
static int stats_fd = -1;
static bool quitting;

static void out_flush(void) { fputs("\n", stdout); fflush(stdout); }

static void fatal(const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("{\"event\":\"fatal\",\"code\":\"%s\",\"message\":", code);
	json_write_string(stdout, msg);
	printf("}");
	out_flush();
	exit(1);
}

static void reply_error(uint64_t id, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("{\"id\":%llu,\"ok\":false,\"code\":\"%s\",\"message\":", (unsigned long long)id, code);
	json_write_string(stdout, msg);
	printf("}");
	out_flush();
}

static void reply_ok(uint64_t id) { printf("{\"id\":%llu,\"ok\":true", (unsigned long long)id); }

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static __u64 monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* the clock bpf_ktime_get_ns() reads */
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* bpffs must be mounted for pins to exist; mount it at /sys/fs/bpf when it is not. */
static void ensure_bpffs(void)
{
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", pin_dir);
	char *slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		fatal("PIN_DIR_INVALID", "--pin-dir %s must be a directory inside a bpffs mount, e.g. /sys/fs/bpf/shisa", pin_dir);
	*slash = '\0';
	struct statfs st;
	if (statfs(parent, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		goto mkdirs;
	if (strcmp(parent, "/sys/fs/bpf") != 0)
		fatal("BPFFS_UNAVAILABLE", "%s is not a bpffs mount; mount one there (mount -t bpf bpf %s)", parent, parent);
	mkdir(parent, 0700);
	if (mount("bpf", parent, "bpf", 0, "mode=0700") != 0)
		fatal("BPFFS_UNAVAILABLE", "cannot mount bpffs at %s: %s", parent, strerror(errno));
mkdirs:;
	char links[PATH_MAX];
	snprintf(links, sizeof(links), "%s/links", pin_dir);
	if ((mkdir(pin_dir, 0700) && errno != EEXIST) || (mkdir(links, 0700) && errno != EEXIST))
		fatal("PIN_DIR_INVALID", "cannot create %s: %s", links, strerror(errno));
}

struct prog_ref {
	const char *name;
	struct bpf_program *(*get)(void);
	__u32 index; /* in shisa_runs */
};
static struct bpf_program *prog_sockops(void) { return skel->progs.shisa_sockops; }
static struct bpf_program *prog_connect4(void) { return skel->progs.shisa_connect4; }
static struct bpf_program *prog_connect6(void) { return skel->progs.shisa_connect6; }
static const struct prog_ref PROGS[] = {
	{ "sockops", prog_sockops, SHISA_PROG_SOCKOPS },
	{ "connect4", prog_connect4, SHISA_PROG_CONNECT4 },
	{ "connect6", prog_connect6, SHISA_PROG_CONNECT6 },
};
#define NPROGS (sizeof(PROGS) / sizeof(PROGS[0]))

static void link_path(char *buf, size_t len, __u64 cgroup_id, const char *prog)
{
	if (prog)
		snprintf(buf, len, "%s/links/%llu/%s", pin_dir, (unsigned long long)cgroup_id, prog);
	else
		snprintf(buf, len, "%s/links/%llu", pin_dir, (unsigned long long)cgroup_id);
}

/* Removes one pinned link and detaches it from its cgroup. */
static void unpin_link(const char *path)
{
	if (access(path, F_OK) != 0)
		return;
	struct bpf_link *link = bpf_link__open(path);
	if (link) {
		bpf_link__detach(link);
		bpf_link__destroy(link);
	}
	unlink(path);
}

/* Opens a cgroup v2 directory; its inode number is the id the kernel reports. */
static int open_cgroup(uint64_t id, const char *path, __u64 *cgroup_id)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		reply_error(id, "CGROUP_NOT_FOUND", "cannot open cgroup %s: %s", path, strerror(errno));
		return -1;
	}
	struct statfs sfs;
	struct stat st;
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC || fstat(fd, &st)) {
		close(fd);
		reply_error(id, "CGROUP_NOT_V2", "%s is not a cgroup v2 directory (mount -t cgroup2 none <dir>)", path);
		return -1;
	}
	*cgroup_id = st.st_ino;
	return fd;
}

/* Cgroup from "cgroup" (a path) or "cgroup_id"; 0 = node default when neither is given. */
static int cgroup_arg(uint64_t id, const struct json_object *req, __u64 *cgroup_id, bool required)
{
	const char *path = json_string(req, "cgroup");
	if (path) {
		int fd = open_cgroup(id, path, cgroup_id);
		if (fd < 0)
			return -1;
		close(fd);
		return 0;
	}
	uint64_t v;
	int r = json_u64(req, "cgroup_id", &v);
	if (r == 0) {
		*cgroup_id = v;
		return 0;
	}
	if (r == -2 || required) {
		reply_error(id, "BAD_REQUEST", "expected \"cgroup\" (a path) or \"cgroup_id\" (an integer)");
		return -1;
	}
	*cgroup_id = 0;
	return 0;
}

/* The attached set changed: which attached cgroup owns a task's cgroup may have too.
 * Bumping the generation turns every cached answer into a miss. */
static void forget_owners(void)
{
	int fd = bpf_map__fd(skel->maps.shisa_gate);
	__u32 slot = SHISA_GATE_OWNERS_GEN;
	__u64 gen = 0;
	bpf_map_lookup_elem(fd, &slot, &gen);
	gen++;
	bpf_map_update_elem(fd, &slot, &gen, BPF_ANY);
}

static void cmd_attach(uint64_t id, const struct json_object *req)
{
	const char *path = json_string(req, "cgroup");
	if (!path) {
		reply_error(id, "BAD_REQUEST", "attach needs \"cgroup\": the path of a cgroup v2 directory");
		return;
	}
	__u64 cgroup_id;
	int fd = open_cgroup(id, path, &cgroup_id);
	if (fd < 0)
		return;
	char dir[PATH_MAX], file[PATH_MAX];
	link_path(dir, sizeof(dir), cgroup_id, NULL);
	mkdir(dir, 0700);
	bool created[NPROGS] = { false };
	int reused = 0;
	for (size_t i = 0; i < NPROGS; i++) {
		struct bpf_program *prog = PROGS[i].get();
		link_path(file, sizeof(file), cgroup_id, PROGS[i].name);
		struct bpf_link *link = access(file, F_OK) == 0 ? bpf_link__open(file) : NULL;
		int err = 0;
		if (link) {
			/* Pinned by an earlier loader: swap in this load's program, keep the link. */
			err = bpf_link__update_program(link, prog);
			reused++;
		} else {
			link = bpf_program__attach_cgroup(prog, fd);
			err = link ? bpf_link__pin(link, file) : -errno;
			created[i] = link && !err;
		}
		if (link)
			bpf_link__destroy(link); /* closes our fd; the pin keeps it attached */
		if (err) {
			for (size_t j = 0; j < i; j++)
				if (created[j]) {
					link_path(file, sizeof(file), cgroup_id, PROGS[j].name);
					unpin_link(file);
				}
			close(fd);
			reply_error(id, "ATTACH_FAILED", "attaching %s to %s: %s", PROGS[i].name, path, strerror(-err));
			return;
		}
	}
	close(fd);
	__u8 one = 1;
	bpf_map_update_elem(bpf_map__fd(skel->maps.shisa_attached), &cgroup_id, &one, BPF_ANY);
	forget_owners();
	reply_ok(id);
	printf(",\"cgroup_id\":%llu,\"reused\":%s}", (unsigned long long)cgroup_id, reused ? "true" : "false");
	out_flush();
}

static __u32 forced_mode(const struct shisa_dest *d)
{
	__u32 mode = SHISA_FORCE_NONE;
	bpf_map_lookup_elem(bpf_map__fd(skel->maps.shisa_forced), d, &mode);
	return mode;
}

/* The loader is the only writer of shisa_forced, so it can keep the gate's count exact
 * by recounting after every change. */
static void recount_forced(void)
{
	int fd = bpf_map__fd(skel->maps.shisa_forced);
	struct shisa_dest key, next;
	__u64 n = 0;
	bool first = true;
	while (bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		n++;
	}
	__u32 slot = SHISA_GATE_FORCED;
	bpf_map_update_elem(bpf_map__fd(skel->maps.shisa_gate), &slot, &n, BPF_ANY);
}

/* A gate created by this load (not reused from pins) starts at zero; count the breakers
 * pinned maps already hold open, so they keep refusing. */
static void init_gate(void)
{
	int fd = bpf_map__fd(skel->maps.shisa_breakers);
	struct shisa_dest key, next;
	struct shisa_breaker b;
	__u64 n = 0;
	bool first = true;
	while (bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &b) == 0 && b.state != SHISA_CLOSED)
			n++;
	}
	__u32 slot = SHISA_GATE_UNSETTLED;
	bpf_map_update_elem(bpf_map__fd(skel->maps.shisa_gate), &slot, &n, BPF_ANY);
	recount_forced();
}

/* Drops every entry of a cgroup from a map keyed by struct shisa_dest. */
static void purge_cgroup(int map_fd, __u64 cgroup_id)
{
	struct shisa_dest key, next;
	bool first = true;
	while (bpf_map_get_next_key(map_fd, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		if (next.cgroup_id == cgroup_id) {
			bpf_map_delete_elem(map_fd, &next);
			first = true; /* deletion breaks the iteration order: start over */
		}
	}
}

static void detach_cgroup(__u64 cgroup_id)
{
	char file[PATH_MAX];
	for (size_t i = 0; i < NPROGS; i++) {
		link_path(file, sizeof(file), cgroup_id, PROGS[i].name);
		unpin_link(file);
	}
	link_path(file, sizeof(file), cgroup_id, NULL);
	rmdir(file);
	purge_cgroup(bpf_map__fd(skel->maps.shisa_breakers), cgroup_id);
	purge_cgroup(bpf_map__fd(skel->maps.shisa_latency), cgroup_id);
	purge_cgroup(bpf_map__fd(skel->maps.shisa_policies), cgroup_id);
	purge_cgroup(bpf_map__fd(skel->maps.shisa_forced), cgroup_id);
	recount_forced();
	/* Open breakers purged above stay counted in the gate's unsettled count: the kernel
	 * may still be finishing a transition on them, and an over-count only costs the fast
	 * path, while an under-count would let connects through an open breaker. */
	bpf_map_delete_elem(bpf_map__fd(skel->maps.shisa_attached), &cgroup_id);
	forget_owners();
}

static void cmd_detach(uint64_t id, const struct json_object *req)
{
	__u64 cgroup_id;
	if (cgroup_arg(id, req, &cgroup_id, true))
		return;
	detach_cgroup(cgroup_id);
	reply_ok(id);
	printf(",\"cgroup_id\":%llu}", (unsigned long long)cgroup_id);
	out_flush();
}

static void cmd_policy(uint64_t id, const struct json_object *req)
{
	struct shisa_dest key = { 0 };
	if (cgroup_arg(id, req, &key.cgroup_id, false))
		return;
	const char *addr = json_string(req, "addr");
	uint64_t port = 0, threshold, cooldown_ms, max_ms;
	bool half_open = true;
	if ((addr && (!key.cgroup_id || shisa_addr_parse(addr, key.addr) || json_u64(req, "port", &port) || port > 65535)) ||
	    json_u64(req, "threshold", &threshold) || threshold > 1000000 ||
	    json_u64(req, "cooldown_ms", &cooldown_ms) || cooldown_ms < 1 ||
	    json_u64(req, "max_cooldown_ms", &max_ms) || max_ms < cooldown_ms ||
	    json_bool(req, "half_open", &half_open) == -2) {
		reply_error(id, "BAD_REQUEST",
			    "policy needs threshold (0 = never trip), cooldown_ms >= 1, max_cooldown_ms >= cooldown_ms, "
			    "optional half_open; addr and port only together with a cgroup");
		return;
	}
	key.port = (__u16)port;
	struct shisa_policy p = {
		.threshold = (__u32)threshold,
		.half_open = half_open,
		.cooldown_ns = cooldown_ms * NS_PER_MS,
		.max_cooldown_ns = max_ms * NS_PER_MS,
	};
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.shisa_policies), &key, &p, BPF_ANY)) {
		reply_error(id, "MAP_UPDATE_FAILED", "policy map: %s", strerror(errno));
		return;
	}
	reply_ok(id);
	printf(",\"cgroup_id\":%llu}", (unsigned long long)key.cgroup_id);
	out_flush();
}

static void cmd_histograms(uint64_t id)
{
	int fd = bpf_map__fd(skel->maps.shisa_latency);
	struct shisa_dest key, next;
	struct shisa_latency l;
	bool first = true;
	int n = 0;
	reply_ok(id);
	printf(",\"histograms\":[");
	while (bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &l))
			continue;
		if (n++)
			putchar(',');
		shisa_write_latency(stdout, &key, &l);
	}
	printf("]}");
	out_flush();
}

static void cmd_breakers(uint64_t id)
{
	int fd = bpf_map__fd(skel->maps.shisa_breakers);
	struct shisa_dest key, next;
	struct shisa_breaker b;
	bool first = true;
	int n = 0;
	reply_ok(id);
	printf(",\"now_ns\":%llu,\"breakers\":[", (unsigned long long)monotonic_ns());
	while (bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &b))
			continue;
		if (n++)
			putchar(',');
		shisa_write_breaker(stdout, &key, &b, forced_mode(&key));
	}
	printf("]}");
	out_flush();
}

static void cmd_force(uint64_t id, const struct json_object *req)
{
	struct shisa_dest d = { 0 };
	const char *addr = json_string(req, "addr");
	const char *mode = json_string(req, "mode");
	uint64_t port;
	if (cgroup_arg(id, req, &d.cgroup_id, true))
		return;
	int force = mode ? shisa_force_parse(mode) : -1;
	if (!addr || shisa_addr_parse(addr, d.addr) || json_u64(req, "port", &port) || port > 65535 || force < 0) {
		reply_error(id, "BAD_REQUEST", "force needs addr (IPv4 or IPv6), port (0-65535) and mode (open, closed or auto)");
		return;
	}
	d.port = (__u16)port;
	int forced_fd = bpf_map__fd(skel->maps.shisa_forced);
	int breakers_fd = bpf_map__fd(skel->maps.shisa_breakers);
	/* A breaker entry to count refusals in; never overwrites the kernel's. */
	struct shisa_breaker b = { 0 };
	bpf_map_update_elem(breakers_fd, &d, &b, BPF_NOEXIST);
	__u32 m = (__u32)force;
	int err = force == SHISA_FORCE_NONE ? (bpf_map_delete_elem(forced_fd, &d) && errno != ENOENT ? -1 : 0)
					    : bpf_map_update_elem(forced_fd, &d, &m, BPF_ANY);
	if (err) {
		reply_error(id, "MAP_UPDATE_FAILED", "forced map: %s", strerror(errno));
		return;
	}
	recount_forced();
	bpf_map_lookup_elem(breakers_fd, &d, &b);
	struct shisa_event e = { .dest = d, .state = force == SHISA_FORCE_OPEN ? SHISA_OPEN : b.state,
				 .cause = SHISA_CAUSE_FORCED, .ts_ns = monotonic_ns(), .cooldown_ns = b.cooldown_ns };
	reply_ok(id);
	printf(",\"breaker\":");
	shisa_write_breaker(stdout, &d, &b, m);
	printf("}");
	out_flush();
	shisa_write_event(stdout, &e);
	fflush(stdout);
}

/* Sum of a per-CPU counter over every possible CPU. */
static __u64 runs_of(__u32 index)
{
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0 || ncpu > 4096)
		return 0;
	__u64 values[ncpu];
	__u64 sum = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.shisa_runs), &index, values) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += values[i];
	return sum;
}

static void cmd_stats(uint64_t id)
{
	reply_ok(id);
	printf(",\"kernel_stats\":%s,\"programs\":[", stats_fd >= 0 ? "true" : "false");
	for (size_t i = 0; i < NPROGS; i++) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		bpf_obj_get_info_by_fd(bpf_program__fd(PROGS[i].get()), &info, &len);
		printf("%s{\"name\":\"%s\",\"id\":%u,\"runs\":%llu,\"run_cnt\":%llu,\"run_time_ns\":%llu}", i ? "," : "",
		       PROGS[i].name, info.id, (unsigned long long)runs_of(PROGS[i].index), (unsigned long long)info.run_cnt,
		       (unsigned long long)info.run_time_ns);
	}
	printf("]}");
	out_flush();
}

/* Kernel run-time statistics cost two clock reads per program run on the whole node, so
 * they are off unless asked for (--kernel-stats, or this op for a measurement). */
static void cmd_kernel_stats(uint64_t id, const struct json_object *req)
{
	bool enable;
	if (json_bool(req, "enable", &enable)) {
		reply_error(id, "BAD_REQUEST", "kernel_stats needs \"enable\": true or false");
		return;
	}
	if (enable && stats_fd < 0) {
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0) {
			reply_error(id, "STATS_UNAVAILABLE", "bpf_enable_stats: %s", strerror(errno));
			return;
		}
	} else if (!enable && stats_fd >= 0) {
		close(stats_fd);
		stats_fd = -1;
	}
	reply_ok(id);
	printf(",\"kernel_stats\":%s}", stats_fd >= 0 ? "true" : "false");
	out_flush();
}

static void cmd_attached(uint64_t id)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/links", pin_dir);
	DIR *d = opendir(dir);
	int n = 0;
	reply_ok(id);
	printf(",\"cgroup_ids\":[");
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.')
			printf("%s%s", n++ ? "," : "", e->d_name);
	if (d)
		closedir(d);
	printf("]}");
	out_flush();
}

static void cmd_uninstall(uint64_t id)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/links", pin_dir);
	/* Collect first: removing entries while readdir walks bpffs can repeat them. */
	__u64 ids[4096];
	size_t n = 0;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d)) && n < sizeof(ids) / sizeof(ids[0]);)
		if (e->d_name[0] != '.')
			ids[n++] = strtoull(e->d_name, NULL, 10);
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		detach_cgroup(ids[i]);
	rmdir(dir);
	struct bpf_map *map;
	bpf_object__for_each_map(map, skel->obj)
		if (bpf_map__is_pinned(map))
			bpf_map__unpin(map, NULL);
	rmdir(pin_dir);
	reply_ok(id);
	printf("}");
	out_flush();
	quitting = true;
}

static void handle_line(const char *line)
{
	static struct json_object req; /* 16 fields x 4 KiB: too big for the stack */
	char err[256];
	uint64_t id = 0;
	if (json_parse_object(line, &req, err, sizeof(err))) {
		reply_error(0, "BAD_REQUEST", "%s", err);
		return;
	}
	if (json_u64(&req, "id", &id)) {
		reply_error(0, "BAD_REQUEST", "every request needs \"id\", a non-negative integer");
		return;
	}
	const char *op = json_string(&req, "op");
	if (!op) reply_error(id, "BAD_REQUEST", "missing \"op\"");
	else if (!strcmp(op, "attach")) cmd_attach(id, &req);
	else if (!strcmp(op, "detach")) cmd_detach(id, &req);
	else if (!strcmp(op, "policy")) cmd_policy(id, &req);
	else if (!strcmp(op, "histograms")) cmd_histograms(id);
	else if (!strcmp(op, "breakers")) cmd_breakers(id);
	else if (!strcmp(op, "force")) cmd_force(id, &req);
	else if (!strcmp(op, "stats")) cmd_stats(id);
	else if (!strcmp(op, "kernel_stats")) cmd_kernel_stats(id, &req);
	else if (!strcmp(op, "attached")) cmd_attached(id);
	else if (!strcmp(op, "uninstall")) cmd_uninstall(id);
	else if (!strcmp(op, "quit")) { reply_ok(id); printf("}"); out_flush(); quitting = true; }
	else reply_error(id, "UNKNOWN_OP", "unknown op \"%s\" (attach, detach, policy, histograms, breakers, force, stats, kernel_stats, attached, uninstall, quit)", op);
}

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size >= sizeof(struct shisa_event)) {
		shisa_write_event(stdout, data);
		fflush(stdout);
	}
	return 0;
}

static uint64_t arg_u64(const char *flag, const char *v)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v ? v : "", &end, 10);
	if (!v || errno || *end || n == 0)
		fatal("BAD_ARGUMENT", "%s needs a positive integer", flag);
	return n;
}

int main(int argc, char **argv)
{
	uint64_t threshold = 5, cooldown_ms = 30000, max_cooldown_ms = 300000;
	bool kernel_stats = false;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--pin-dir") && v) snprintf(pin_dir, sizeof(pin_dir), "%s", v), i++;
		else if (!strcmp(argv[i], "--threshold")) threshold = arg_u64(argv[i], v), i++;
		else if (!strcmp(argv[i], "--cooldown-ms")) cooldown_ms = arg_u64(argv[i], v), i++;
		else if (!strcmp(argv[i], "--max-cooldown-ms")) max_cooldown_ms = arg_u64(argv[i], v), i++;
		else if (!strcmp(argv[i], "--kernel-stats")) kernel_stats = true;
		else fatal("BAD_ARGUMENT", "unknown argument %s (--pin-dir DIR --threshold N --cooldown-ms MS --max-cooldown-ms MS --kernel-stats)", argv[i]);
	}
	libbpf_set_print(libbpf_log);
	ensure_bpffs();
	/* Kernel run times (and counts) for measuring; held while we run. */
	if (kernel_stats && (stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME)) < 0)
		fprintf(stderr, "shisa-loader: bpf_enable_stats: %s; run times stay 0\n", strerror(errno));

	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	skel = shisa__open_opts(&opts);
	if (!skel)
		fatal("BPF_OPEN_FAILED", "opening the embedded BPF object: %s", strerror(errno));
	skel->rodata->shisa_default_threshold = (__u32)threshold;
	skel->rodata->shisa_default_cooldown_ns = cooldown_ms * NS_PER_MS;
	skel->rodata->shisa_default_max_cooldown_ns = max_cooldown_ms * NS_PER_MS;

	char probe[PATH_MAX], gate[PATH_MAX];
	snprintf(probe, sizeof(probe), "%s/shisa_breakers", pin_dir);
	snprintf(gate, sizeof(gate), "%s/shisa_gate", pin_dir);
	bool reused = access(probe, F_OK) == 0;
	bool gate_reused = access(gate, F_OK) == 0;
	int err = shisa__load(skel);
	if (err)
		fatal("BPF_LOAD_FAILED", "loading the programs: %s%s", strerror(-err),
		      reused ? " (maps pinned by another version may not match: run op uninstall, or remove the pin dir)" : "");

	if (!gate_reused)
		init_gate();

	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.shisa_events), on_event, NULL, NULL);
	if (!rb)
		fatal("BPF_LOAD_FAILED", "ring buffer: %s", strerror(errno));

	printf("{\"event\":\"ready\",\"pin_dir\":");
	json_write_string(stdout, pin_dir);
	printf(",\"maps_reused\":%s,\"kernel_stats\":%s}", reused ? "true" : "false", stats_fd >= 0 ? "true" : "false");
	out_flush();

	static char buf[LINE_MAX_BYTES];
	size_t used = 0;
	struct pollfd fds[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = ring_buffer__epoll_fd(rb), .events = POLLIN } };
	while (!quitting) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents & POLLIN)
			ring_buffer__consume(rb);
		if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t n = read(STDIN_FILENO, buf + used, sizeof(buf) - 1 - used);
		if (n <= 0)
			break; /* the agent went away: keep the pins, exit */
		used += (size_t)n;
		char *start = buf, *nl;
		while (!quitting && (nl = memchr(start, '\n', used - (size_t)(start - buf)))) {
			*nl = '\0';
			if (nl > start)
				handle_line(start);
			start = nl + 1;
		}
		used -= (size_t)(start - buf);
		memmove(buf, start, used);
		if (used == sizeof(buf) - 1) {
			reply_error(0, "BAD_REQUEST", "request line longer than %d bytes", LINE_MAX_BYTES - 1);
			used = 0;
		}
	}
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	shisa__destroy(skel); /* closes our fds; pinned maps and links stay in the kernel */
	return 0;
}
