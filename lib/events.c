// SPDX-License-Identifier: GPL-2.0-only
/*
 * Events: a struct syva_event from the ring buffer becomes one record with a
 * fixed key set (every key present, null when unknown, so `jq` filters never
 * meet a missing key), named zones, the best path available and a reason in
 * plain language, one template per hook, refined by event.reason. The text
 * line is printed from that record, so text and JSON cannot disagree.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "syva.h"

bool syva_prog_optional(const char *prog)
{
	return !strncmp(prog, "syva_escape_", 12);
}

static const char *const action_names[] = {
	[SYVA_ACT_ALLOW] = "allow",
	[SYVA_ACT_DENY] = "deny",
	[SYVA_ACT_AUDIT] = "audit",
	[SYVA_ACT_ESCAPE] = "escape",
};

const char *event_action_name(unsigned int action)
{
	if (action >= sizeof(action_names) / sizeof(action_names[0]))
		return "unknown";
	return action_names[action];
}

int event_action_parse(const char *s)
{
	unsigned int i;

	/* allow is never recorded: not a filter value. */
	for (i = SYVA_ACT_DENY; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (!strcmp(s, action_names[i]))
			return i;
	return -1;
}

/*
 * Reason templates. %Z is the event's zone, %P its peer zone. why -1 matches
 * any event.reason; the first matching row wins, so refinements come first.
 */
struct reason {
	int hook;
	int why;
	const char *what;
	const char *matters;
	const char *causes[5];
};

#define ANY (-1)
#define CAUSE_PAIR "zones %Z and %P are not paired (syva-comm allow %Z %P)"
#define CAUSE_ATTACH "the process runs in the wrong zone's cgroup (syva-attach list)"

static const struct reason reasons[] = {
	{
		.hook = SYVA_HOOK_FILE_OPEN,
		.why = ANY,
		.what = "cross-zone file open",
		.matters = "a process in zone %Z opened a file registered to zone %P; a zone's files "
			   "are for that zone and the zones paired with it",
		.causes = {
			CAUSE_PAIR,
			"the file is registered to the wrong zone (syva-path show PATH)",
			CAUSE_ATTACH,
		},
	},
	{
		.hook = SYVA_HOOK_BPRM_CHECK,
		.why = ANY,
		.what = "cross-zone exec",
		.matters = "a process in zone %Z tried to execute a program registered to zone %P; "
			   "running another zone's binaries carries its code across the boundary",
		.causes = {
			CAUSE_PAIR,
			"the program is registered to the wrong zone (syva-path show PATH)",
			CAUSE_ATTACH,
		},
	},
	{
		.hook = SYVA_HOOK_MMAP_FILE,
		.why = ANY,
		.what = "cross-zone executable mapping",
		.matters = "a process in zone %Z tried to map a file of zone %P as executable code",
		.causes = {
			CAUSE_PAIR,
			"a shared library is registered to zone %P instead of being left shared",
			CAUSE_ATTACH,
		},
	},
	{
		.hook = SYVA_HOOK_FILE_MPROTECT,
		.why = ANY,
		.what = "cross-zone mprotect to executable",
		.matters = "a process in zone %Z tried to make its mapping of a zone %P file executable "
			   "after mapping it without exec, which would bypass the exec check",
		.causes = {
			CAUSE_PAIR,
			"a loader or JIT maps files by hand",
			CAUSE_ATTACH,
		},
	},
	{
		.hook = SYVA_HOOK_PTRACE,
		.why = SYVA_WHY_PTRACE_SAME,
		.what = "same-zone ptrace not enabled",
		.matters = "a process in zone %Z tried to trace a process of its own zone, which zone %Z "
			   "does not allow; a tracer can read and change the traced process's memory",
		.causes = {
			"a debugger, strace or a crash reporter runs in the zone "
			"(syva-zone set %Z --ptrace allows it)",
			"a compromised process reaching for its neighbours' memory",
		},
	},
	{
		.hook = SYVA_HOOK_PTRACE,
		.why = ANY,
		.what = "cross-zone ptrace",
		.matters = "a process in zone %Z tried to trace or inspect a process of zone %P; a "
			   "tracer can read and change the traced process's memory",
		.causes = {
			"a debugger or profiler was pointed across zones",
			CAUSE_PAIR,
			CAUSE_ATTACH,
		},
	},
	{
		.hook = SYVA_HOOK_TASK_KILL,
		.why = ANY,
		.what = "cross-zone signal",
		.matters = "a process in zone %Z tried to signal a process of zone %P; a zone may not "
			   "stop or kill another zone's processes",
		.causes = {
			"a supervisor or script signals across zones",
			"the pid was reused by a process of another zone",
			CAUSE_PAIR,
		},
	},
	{
		.hook = SYVA_HOOK_SIGIOTASK,
		.why = ANY,
		.what = "cross-zone SIGIO/SIGURG",
		.matters = "a file whose owner was set (F_SETOWN) from zone %Z would have signalled a "
			   "process of zone %P",
		.causes = {
			"F_SETOWN names a process or process group of another zone",
			CAUSE_PAIR,
		},
	},
	{
		.hook = SYVA_HOOK_UNIX_CONNECT,
		.why = ANY,
		.what = "cross-zone unix socket connect",
		.matters = "a process in zone %Z tried to connect to a unix socket owned by zone %P",
		.causes = {
			"a daemon's or runtime's socket is reached across zones",
			CAUSE_PAIR,
			"the listening process runs in the wrong zone's cgroup",
		},
	},
	{
		.hook = SYVA_HOOK_UNIX_SEND,
		.why = ANY,
		.what = "cross-zone unix datagram",
		.matters = "a process in zone %Z tried to send a datagram to a unix socket owned by "
			   "zone %P",
		.causes = {
			"logging to a syslog or journal socket of another zone",
			CAUSE_PAIR,
			"the receiving process runs in the wrong zone's cgroup",
		},
	},
	{
		.hook = SYVA_HOOK_SOCK_CONNECT,
		.why = SYVA_WHY_ISOLATED,
		.what = "egress outside the allowlist",
		.matters = "zone %Z is network-isolated and this destination is not in its egress "
			   "allowlist",
		.causes = {
			"the destination is a dependency to allow (syva-zone egress add %Z ADDR:PORT)",
			"the zone should not be isolated (syva-zone set %Z --network open)",
			"a workload reaching where it should not (exfiltration, a changed dependency)",
		},
	},
	{
		.hook = SYVA_HOOK_SOCK_CONNECT,
		.why = ANY,
		.what = "cross-zone network connection",
		.matters = "a process in zone %Z tried to connect to an address that belongs to zone %P",
		.causes = {
			CAUSE_PAIR,
			"the address is registered to the wrong zone (syva-ipzone list)",
			CAUSE_ATTACH,
		},
	},
	{
		.hook = SYVA_HOOK_SOCK_SENDMSG,
		.why = SYVA_WHY_ISOLATED,
		.what = "egress outside the allowlist",
		.matters = "zone %Z is network-isolated and this destination is not in its egress "
			   "allowlist",
		.causes = {
			"the destination is a dependency to allow (syva-zone egress add %Z ADDR:PORT)",
			"the zone should not be isolated (syva-zone set %Z --network open)",
			"a workload reaching where it should not (exfiltration, a changed dependency)",
		},
	},
	{
		.hook = SYVA_HOOK_SOCK_SENDMSG,
		.why = ANY,
		.what = "cross-zone network send",
		.matters = "a process in zone %Z tried to send to an address that belongs to zone %P",
		.causes = {
			CAUSE_PAIR,
			"the address is registered to the wrong zone (syva-ipzone list)",
			CAUSE_ATTACH,
		},
	},
	{
		.hook = SYVA_HOOK_SOCK_BIND,
		.why = ANY,
		.what = "non-loopback bind in an isolated zone",
		.matters = "zone %Z is network-isolated: it may listen on loopback only, and this bind "
			   "would offer a service to the network",
		.causes = {
			"a server binds 0.0.0.0 or :: where 127.0.0.1 or ::1 would do",
			"the service belongs in an open zone (syva-zone set %Z --network open)",
		},
	},
	{
		.hook = SYVA_HOOK_SOCK_LISTEN,
		.why = ANY,
		.what = "listen without bind in an isolated zone",
		.matters = "zone %Z is network-isolated: listen(2) on a socket never bound binds it to "
			   "every address and would offer a service to the network",
		.causes = {
			"a server calls listen() without bind() (bind 127.0.0.1 or ::1 first)",
			"the service belongs in an open zone (syva-zone set %Z --network open)",
		},
	},
	{
		.hook = SYVA_HOOK_CGROUP_ATTACH,
		.why = SYVA_WHY_CLONED,
		.what = "cgroup escape at clone",
		.matters = "a process of zone %Z started a child directly in a cgroup outside the zone "
			   "(%P) with clone3(CLONE_INTO_CGROUP); no zone rule applies to the child there",
		.causes = {
			"a runtime starts processes in cgroups it did not attach to the zone "
			"(syva-attach add %Z CGROUP)",
			"a deliberate escape by a process that can write to another cgroup",
		},
	},
	{
		.hook = SYVA_HOOK_CGROUP_ATTACH,
		.why = ANY,
		.what = "cgroup escape",
		.matters = "a process of zone %Z was moved to a cgroup outside the zone (%P); no zone "
			   "rule applies to it there",
		.causes = {
			"an operator or tool moved it (pid and comm name the mover)",
			"a container runtime or systemd rearranged its cgroups",
			"the destination should be attached to the zone (syva-attach add %Z CGROUP)",
			"a deliberate escape by a process that can write to cgroup.procs",
		},
	},
};

/* Unknown hooks (a newer kernel side) still explain themselves. */
static const struct reason unknown_reason = {
	.hook = ANY,
	.why = ANY,
	.what = "denied by an unknown hook",
	.matters = "a process in zone %Z was refused an operation involving zone %P",
	.causes = {
		"this syva-events is older than the loaded programs",
	},
};

static const struct reason *reason_of(unsigned int hook, unsigned int why)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].hook == (int)hook &&
		    (reasons[i].why == ANY || reasons[i].why == (int)why))
			return &reasons[i];
	return &unknown_reason;
}

/* The template with %Z and %P replaced by the zone names. */
static json_t *fill(const char *t, const char *zone, const char *peer)
{
	char buf[1024];
	size_t n = 0, l;
	const char *v;

	for (; *t && n < sizeof(buf) - 1; t++) {
		if (t[0] == '%' && (t[1] == 'Z' || t[1] == 'P')) {
			v = *++t == 'Z' ? zone : peer;
			l = strlen(v);
			if (l > sizeof(buf) - 1 - n)
				l = sizeof(buf) - 1 - n;
			memcpy(buf + n, v, l);
			n += l;
			continue;
		}
		buf[n++] = *t;
	}
	buf[n] = 0;
	return json_string(buf);
}

static json_t *reason_json(const struct syva_event *e, const char *zone,
			   const char *peer)
{
	const struct reason *r = reason_of(e->hook, e->reason);
	json_t *o = json_object(), *causes = json_array();
	int i;

	json_object_set_new(o, "what_failed", fill(r->what, zone, peer));
	json_object_set_new(o, "why_it_matters", fill(r->matters, zone, peer));
	for (i = 0; i < 5 && r->causes[i]; i++)
		json_array_append_new(causes, fill(r->causes[i], zone, peer));
	json_object_set_new(o, "possible_causes", causes);
	return o;
}

static json_t *int_or_null(uint64_t v, bool known)
{
	return known ? json_integer((json_int_t)v) : json_null();
}

/* The path the process used, else the path the file was registered under. */
static void set_path(struct syva *s, json_t *o, const struct syva_event *e)
{
	struct syva_file_key k = { .ino = e->ino, .dev = e->dev };
	struct syva_path p;

	if (e->path[0]) {
		j_set_kstr(o, "path", e->path, sizeof(e->path));
		return;
	}
	if (e->ino && !bpf_map_lookup_elem(s->fd[M_PATHS], &k, &p)) {
		j_set_kstr(o, "path", p.path, sizeof(p.path));
		return;
	}
	json_object_set_new(o, "path", json_null());
}

static void set_addr(json_t *o, const struct syva_event *e)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	char buf[INET6_ADDRSTRLEN];
	const char *family = NULL;
	bool v4 = false;

	if (e->family == AF_INET)
		family = "inet";
	else if (e->family == AF_INET6)
		family = "inet6";
	if (!family) {
		json_object_set_new(o, "family", json_null());
		json_object_set_new(o, "addr", json_null());
		json_object_set_new(o, "port", json_null());
		return;
	}
	/* IPv4 is kept as ::ffff:a.b.c.d; operators know it as a.b.c.d. */
	v4 = !memcmp(e->addr, mapped, sizeof(mapped));
	if (v4)
		inet_ntop(AF_INET, e->addr + 12, buf, sizeof(buf));
	else
		inet_ntop(AF_INET6, e->addr, buf, sizeof(buf));
	json_object_set_new(o, "family", json_string(family));
	json_object_set_new(o, "addr", json_string(buf));
	json_object_set_new(o, "port", json_integer(e->port));
}

json_t *event_json(struct syva *s, const struct syva_event *e, const char *node)
{
	char zbuf[SYVA_ZONE_NAME_MAX], pbuf[SYVA_ZONE_NAME_MAX], ts[40], hbuf[16];
	const char *zone = zone_name(s, e->zone, zbuf);
	const char *peer = zone_name(s, e->peer_zone, pbuf);
	const char *hook = hbuf;
	json_t *o = json_object();
	char *cg = NULL;

	if (e->hook < SYVA_HOOK_MAX && syva_hook_names[e->hook])
		hook = syva_hook_names[e->hook];
	else
		snprintf(hbuf, sizeof(hbuf), "hook-%u", e->hook);
	fmt_boottime(e->ts_boot_ns, ts, sizeof(ts));

	json_object_set_new(o, "v", json_integer(EVENT_V));
	json_object_set_new(o, "ts", json_string(ts));
	json_object_set_new(o, "event_id", json_integer((json_int_t)e->event_id));
	json_object_set_new(o, "node", json_string(node));
	json_object_set_new(o, "action", json_string(event_action_name(e->action)));
	json_object_set_new(o, "hook", json_string(hook));
	json_object_set_new(o, "zone", json_string(zone));
	json_object_set_new(o, "peer_zone", json_string(peer));
	json_object_set_new(o, "pid", json_integer(e->pid));
	json_object_set_new(o, "tgid", json_integer(e->tgid));
	json_object_set_new(o, "uid", json_integer(e->uid));
	j_set_kstr(o, "comm", e->comm, sizeof(e->comm));
	json_object_set_new(o, "cgroup_id", j_u64s(e->cgroup_id));
	/* The object: a file, a network destination, or a task / cgroup. */
	set_path(s, o, e);
	json_object_set_new(o, "dev", int_or_null(e->dev, e->ino));
	json_object_set_new(o, "ino", e->ino ? j_u64s(e->ino) : json_null());
	set_addr(o, e);
	json_object_set_new(o, "target_pid", int_or_null(e->target_pid, e->target_pid));
	if (e->target_comm[0])
		j_set_kstr(o, "target_comm", e->target_comm, sizeof(e->target_comm));
	else
		json_object_set_new(o, "target_comm", json_null());
	json_object_set_new(o, "target_cgroup_id",
			    e->target_cgroup_id ? j_u64s(e->target_cgroup_id) : json_null());
	/* Resolved now, not when it happened: null once the cgroup is gone. */
	if (e->target_cgroup_id)
		cg = cgroup_path_of_id(e->target_cgroup_id);
	json_object_set_new(o, "target_cgroup", cg ? json_string(cg) : json_null());
	free(cg);
	json_object_set_new(o, "policy_generation", json_integer((json_int_t)e->generation));
	json_object_set_new(o, "severity",
			    json_string(e->action == SYVA_ACT_AUDIT ? "warning" : "critical"));
	json_object_set_new(o, "reason", reason_json(e, zone, peer));
	return o;
}

static const char *str(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

void event_print_text(json_t *rec)
{
	static const char *const objects[] = { "path", "addr", "port", "target_pid",
					       "target_comm", "target_cgroup" };
	json_t *reason = json_object_get(rec, "reason"), *v;
	char action[16];
	size_t i;

	snprintf(action, sizeof(action), "%s", str(rec, "action"));
	for (i = 0; action[i]; i++)
		action[i] = action[i] >= 'a' && action[i] <= 'z' ? action[i] - 32 : action[i];
	/* HH:MM:SS of the RFC 3339 stamp, and its Z. */
	out_text("%.8sZ %s %s %s \u2192 %s pid=%lld comm=%s", str(rec, "ts") + 11, action,
		 str(rec, "hook"), str(rec, "zone"), str(rec, "peer_zone"),
		 json_integer_value(json_object_get(rec, "pid")), str(rec, "comm"));
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
		v = json_object_get(rec, objects[i]);
		if (json_is_string(v))
			out_text(" %s=%s", objects[i], json_string_value(v));
		else if (json_is_integer(v))
			out_text(" %s=%lld", objects[i], json_integer_value(v));
	}
	/* A file known only by identity, a cgroup gone since. */
	if (json_is_null(json_object_get(rec, "path")) && json_is_string(json_object_get(rec, "ino")))
		out_text(" dev=%lld:%lld ino=%s", json_integer_value(json_object_get(rec, "dev")) >> 20,
			 json_integer_value(json_object_get(rec, "dev")) & 0xfffff, str(rec, "ino"));
	if (json_is_null(json_object_get(rec, "target_cgroup")) &&
	    json_is_string(json_object_get(rec, "target_cgroup_id")))
		out_text(" target_cgroup_id=%s", str(rec, "target_cgroup_id"));
	out_text("\n    why: %s: %s\n", str(reason, "what_failed"), str(reason, "why_it_matters"));
}
