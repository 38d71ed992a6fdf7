// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * connect-bench ADDR PORT COUNT: times COUNT blocking TCP connect()+close() pairs to
 * ADDR:PORT from this process and prints one JSON line with the per-connect figures.
 * Used by npm run bench:bpf (run inside and outside the workload cgroup) and by the
 * enforcer tests to make connects from a chosen cgroup. A refused connect is counted,
 * not fatal: timing refusals through an open breaker is half of what it is for.
 *
 * connect-bench --self-listen CGROUP COUNT: opens a listener on 127.0.0.1 first, then
 * moves itself into CGROUP (a cgroup v2 directory) and times COUNT connect()+close()
 * pairs to it, accepting and closing each connection in the same loop. The listener was
 * created outside CGROUP, so programs attached there run for the connecting side only;
 * and with no second process to schedule, runs with and without programs differ by
 * little more than what the programs cost.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* A listener on 127.0.0.1 (any free port), and this process moved into `cgroup`. */
static int self_listen(const char *cgroup, struct sockaddr_in *sa)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t len = sizeof(*sa);
	sa->sin_family = AF_INET;
	sa->sin_port = 0;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)sa, sizeof(*sa)) || listen(lfd, 4096) ||
	    getsockname(lfd, (struct sockaddr *)sa, &len)) {
		perror("connect-bench: listen");
		exit(1);
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	FILE *f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
		fprintf(stderr, "connect-bench: cannot join %s: %s\n", cgroup, strerror(errno));
		exit(1);
	}
	return lfd;
}

int main(int argc, char **argv)
{
	int lfd = -1;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	if (argc == 4 && !strcmp(argv[1], "--self-listen")) {
		lfd = self_listen(argv[2], &sa);
	} else if (argc == 4) {
		sa.sin_port = htons((unsigned short)atoi(argv[2]));
		if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
			fprintf(stderr, "connect-bench: %s is not an IPv4 address\n", argv[1]);
			return 2;
		}
	} else {
		fprintf(stderr, "usage: connect-bench ADDR PORT COUNT | connect-bench --self-listen CGROUP COUNT\n");
		return 2;
	}
	long count = atol(argv[3]);
	if (count < 1) {
		fprintf(stderr, "connect-bench: COUNT must be positive\n");
		return 2;
	}
	long long *connect_ns = calloc((size_t)count, sizeof(long long));
	long ok = 0, refused = 0, other = 0;
	int last_errno = 0;
	long long start = now_ns();
	for (long i = 0; i < count; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		long long t0 = now_ns();
		int r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		connect_ns[i] = now_ns() - t0;
		if (r == 0) {
			ok++;
			if (lfd >= 0)
				close(accept(lfd, NULL, NULL));
		} else if (errno == ECONNREFUSED)
			refused++;
		else
			other++, last_errno = errno;
		close(fd);
	}
	long long total = now_ns() - start;
	qsort(connect_ns, (size_t)count, sizeof(long long), cmp_ll);
	printf("{\"port\":%u,\"count\":%ld,\"ok\":%ld,\"refused\":%ld,\"other\":%ld,\"last_errno\":%d,\"total_ns\":%lld,"
	       "\"per_pair_ns\":%.1f,\"connect_p50_ns\":%lld,\"connect_p99_ns\":%lld,\"connect_max_ns\":%lld}\n",
	       ntohs(sa.sin_port), count, ok, refused, other, last_errno, total, (double)total / (double)count, connect_ns[count / 2],
	       connect_ns[(count * 99) / 100], connect_ns[count - 1]);
	free(connect_ns);
	return 0;
}
