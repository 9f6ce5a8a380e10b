// SPDX-License-Identifier: GPL-2.0-only
/*
 * syva-events: the kernel's own record of every denial, would-deny (audit)
 * and cgroup escape, read from the pinned ring buffer. Without -f it drains
 * what is pending and exits; with -f it follows until killed, until its
 * reader goes away (`syva-events -f | head -1`) or until syva is unloaded.
 * A ring buffer has a single consumer position, so there is one reader at a
 * time: a second one exits 75 instead of silently taking half the records.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "syva.h"

static const char usage[] =
	"usage: syva-events [-f] [--json | --text] [--node NAME] [--zone ZONE]...\n"
	"                   [--hook HOOK]... [--action deny|audit|escape]...\n";

enum {
	O_NODE = 256,
	O_ZONE,
	O_HOOK,
	O_ACTION,
};
static const struct option opts[] = {
	{ "follow", no_argument, NULL, 'f' },
	{ "node", required_argument, NULL, O_NODE },
	{ "zone", required_argument, NULL, O_ZONE },
	{ "hook", required_argument, NULL, O_HOOK },
	{ "action", required_argument, NULL, O_ACTION },
	OUT_LONGOPTS,
	{}
};

#define MAX_ZONES 16

/* Filters: any of the values given for an option, all options together. */
static struct syva s;
static const char *node;
static const char *zones[MAX_ZONES];
static int nzones;
static uint32_t hooks, actions; /* bit masks; 0: any */

static bool zone_wanted(json_t *rec)
{
	const char *z = json_string_value(json_object_get(rec, "zone"));
	const char *p = json_string_value(json_object_get(rec, "peer_zone"));
	int i;

	if (!nzones)
		return true;
	for (i = 0; i < nzones; i++)
		if (!strcmp(zones[i], z) || !strcmp(zones[i], p))
			return true;
	return false;
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct syva_event *e = data;
	json_t *rec;

	(void)ctx;
	if (len < sizeof(*e))
		return 0; /* not a record this version knows: skip it */
	/* Cheap filters before the record is built (it may resolve a cgroup). */
	if (hooks && (e->hook >= 32 || !(hooks & (1u << e->hook))))
		return 0;
	if (actions && (e->action >= 32 || !(actions & (1u << e->action))))
		return 0;
	rec = event_json(&s, e, node);
	if (!zone_wanted(rec)) {
		json_decref(rec);
		return 0;
	}
	if (out_mode == OUT_JSON) {
		out_json(rec);
		return 0;
	}
	event_print_text(rec);
	json_decref(rec);
	out_flush(); /* a stream: each event as it comes, also into a pipe */
	return 0;
}

/* One reader: an flock on links/ (bpffs holds no regular lock files). */
static void lock_reader(void)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/links", syva_pin_root());
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die(EX_UNAVAILABLE, "cannot open %s: %s (is syva loaded?)", path,
		    strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB))
		die(errno == EWOULDBLOCK ? EX_TEMPFAIL : EX_OSERR,
		    "another syva-events is reading the events: a ring buffer has one "
		    "reader, and a second would take records from the first");
	/* Held until exit: the fd stays open. */
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Is the pinned ring buffer still the one we read? */
static bool still_loaded(const char *path, uint32_t id)
{
	int fd = bpf_obj_get(path);
	bool same = fd >= 0 && map_id(fd) == id;

	if (fd >= 0)
		close(fd);
	return same;
}

static void follow(struct ring_buffer *rb, const char *path, uint32_t id)
{
	struct epoll_event ev = { .events = EPOLLIN }, got[2];
	int ep = epoll_create1(EPOLL_CLOEXEC), n, i;

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ring_buffer__epoll_fd(rb), &ev))
		die(EX_OSERR, "cannot wait for events: %s", strerror(errno));
	/*
	 * stdout too, for errors only: a closed pipe ends us at once, not at
	 * the next event. Not every stdout can be watched (a file): fine.
	 */
	ev.events = 0;
	ev.data.u32 = 1;
	epoll_ctl(ep, EPOLL_CTL_ADD, STDOUT_FILENO, &ev);
	for (;;) {
		n = epoll_wait(ep, got, 2, 1000);
		if (n < 0 && errno != EINTR)
			die(EX_OSERR, "cannot wait for events: %s", strerror(errno));
		for (i = 0; i < n; i++)
			if (got[i].data.u32 == 1)
				exit(0);
		if (ring_buffer__consume(rb) < 0)
			die(EX_OSERR, "cannot read events: %s", strerror(errno));
		if (n == 0 && !still_loaded(path, id))
			die(EX_UNAVAILABLE, "syva was unloaded: no more events will come");
	}
}

int main(int argc, char **argv)
{
	static char host[256];
	struct ring_buffer *rb;
	bool keep = false;
	char path[4096];
	int c, fd, a;

	syva_init(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		if (out_opt(c))
			continue;
		switch (c) {
		case 'f':
			keep = true;
			break;
		case O_NODE:
			if (!*optarg)
				usage_error(usage, "invalid node name \"\"");
			node = optarg;
			break;
		case O_ZONE:
			if (strcmp(optarg, "host"))
				zone_check_name(optarg);
			if (nzones == MAX_ZONES)
				usage_error(usage, "at most %d --zone options", MAX_ZONES);
			zones[nzones++] = optarg;
			break;
		case O_HOOK:
			a = syva_hook_slot(optarg);
			if (a < 0)
				usage_error(usage, "invalid hook \"%s\": use a name syva-status lists",
					    optarg);
			hooks |= 1u << a;
			break;
		case O_ACTION:
			a = event_action_parse(optarg);
			if (a < 0)
				usage_error(usage, "invalid action \"%s\": use deny, audit or escape",
					    optarg);
			actions |= 1u << a;
			break;
		default:
			usage_error(usage, "invalid option \"%s\"", opt_name(argv));
		}
	}
	if (optind != argc)
		usage_error(usage, "unexpected argument \"%s\"", argv[optind]);
	if (!node) {
		if (gethostname(host, sizeof(host) - 1))
			die(EX_OSERR, "cannot get the host name: %s (use --node)",
			    strerror(errno));
		node = host;
	}

	if (!syva_verbose)
		libbpf_set_print(NULL); /* our messages say what failed */
	syva_open(&s, SYVA_READ);
	lock_reader();
	/* Read-write: consuming moves the buffer's consumer position. */
	snprintf(path, sizeof(path), "%s/%s", syva_pin_root(), SYVA_MAP_EVENTS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		die(ex_of_errno(errno), "cannot open %s: %s", path, strerror(errno));
	rb = ring_buffer__new(fd, on_event, NULL, NULL);
	if (!rb)
		die(EX_OSERR, "cannot map %s: %s", path, strerror(errno));
	if (keep)
		follow(rb, path, map_id(fd));
	if (ring_buffer__consume(rb) < 0)
		die(EX_OSERR, "cannot read events: %s", strerror(errno));
	out_flush();
	return 0;
}
