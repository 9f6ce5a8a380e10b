/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel/user ABI of syva: the only header both the BPF programs and the
 * tools include. Every map's name, key and value are defined here once, with
 * fixed-width fields and explicit padding, so a layout change is a compile
 * error on one side or an ABI-version mismatch at run time, never a silent
 * misread. Bump SYVA_ABI_VERSION whenever a struct below changes.
 */
#ifndef SYVA_ABI_H
#define SYVA_ABI_H

#ifdef __bpf__
/* vmlinux.h provides the kernel's __u8..__u64 */
#else
#include <linux/types.h>
#endif

#define SYVA_ABI_VERSION 2

/* Zone id 0 is "host": not in any zone. Named `host` by every tool. */
#define SYVA_ZONE_HOST 0
#define SYVA_ZONE_NAME_MAX 64 /* including the NUL: names are 1-63 chars */
#define SYVA_PATH_MAX 256     /* registered path kept for listings and events */
#define SYVA_COMM_LEN 16

/* Default capacities; syva-load --max-* overrides them at first load. */
#define SYVA_DEF_ZONES 4096
#define SYVA_DEF_CGROUPS 65536
#define SYVA_DEF_FILES 1048576
#define SYVA_DEF_PAIRS 16384
#define SYVA_DEF_IPZONES 65536
#define SYVA_DEF_EGRESS 8192
#define SYVA_DEF_FOWNERS 16384
#define SYVA_DEF_RINGBUF (1u << 20)

/*
 * Pinned objects under the pin root (default /sys/fs/bpf/syva, overridden by
 * $SYVA_BPFFS). Maps are pinned by these names; links under links/<prog>.
 */
#define SYVA_PIN_ROOT "/sys/fs/bpf/syva"
#define SYVA_MAP_META "meta"
#define SYVA_MAP_STATE "state"
#define SYVA_MAP_ZONES "zones"
#define SYVA_MAP_ZONE_NAMES "zone_names"
#define SYVA_MAP_ZONE_STATS "zone_stats"
#define SYVA_MAP_CGROUPS "cgroups"
#define SYVA_MAP_FILES "files"
#define SYVA_MAP_PATHS "paths"
#define SYVA_MAP_PAIRS "pairs"
#define SYVA_MAP_COUNTERS "counters"
#define SYVA_MAP_EVENTS "events"
#define SYVA_MAP_IPZONES "ipzones"
#define SYVA_MAP_EGRESS4 "egress4"
#define SYVA_MAP_EGRESS6 "egress6"
#define SYVA_MAP_FOWNERS "fowners"

/*
 * Hooks, in counter-slot order. The names are the kernel's (LSM hook or
 * tracepoint), so an operator can look them up. Slots are never reordered:
 * new hooks take new slots.
 */
enum syva_hook {
	SYVA_HOOK_FILE_OPEN = 0,
	SYVA_HOOK_BPRM_CHECK = 1,
	SYVA_HOOK_MMAP_FILE = 2,
	SYVA_HOOK_FILE_MPROTECT = 3,
	SYVA_HOOK_PTRACE = 4,
	SYVA_HOOK_TASK_KILL = 5,
	SYVA_HOOK_SIGIOTASK = 6,
	SYVA_HOOK_UNIX_CONNECT = 7,
	SYVA_HOOK_UNIX_SEND = 8,
	SYVA_HOOK_SOCK_CONNECT = 9,
	SYVA_HOOK_SOCK_SENDMSG = 10,
	SYVA_HOOK_SOCK_BIND = 11,
	SYVA_HOOK_CGROUP_ATTACH = 12, /* escape detector: detects, never denies */
	SYVA_HOOK_SOCK_LISTEN = 13,
	SYVA_HOOK_MAX,
};
#define SYVA_HOOK_SLOTS 16

/* What a decision did; also the event's action. */
enum syva_action {
	SYVA_ACT_ALLOW = 0,
	SYVA_ACT_DENY = 1,
	SYVA_ACT_AUDIT = 2, /* would have denied; mode audit let it through */
	SYVA_ACT_ESCAPE = 3,
};

enum syva_mode {
	SYVA_MODE_ENFORCE = 0,
	SYVA_MODE_AUDIT = 1,
};

/* meta: one record, written only by the tools (under the pin-dir lock). */
struct syva_meta {
	__u32 abi_version;
	__u32 mode;	  /* enum syva_mode, global */
	__u64 generation; /* bumped by every policy write */
	__u32 max_zones;
	__u32 max_cgroups;
	__u32 max_files;
	__u32 max_pairs;
	__u32 max_ipzones;
	__u32 max_egress;
	__u32 ringbuf_size;
	__u32 selftest;	 /* SYVA_SELFTEST_* bits, written by syva-load */
	__u64 loaded_at; /* CLOCK_REALTIME seconds of the last load */
	/*
	 * The baseline of `syva-status --reset`: health counts errors, lost
	 * events and escapes above these, so an operator who has looked at
	 * them can return the node to healthy without reloading.
	 */
	__u64 reset_at;	     /* CLOCK_REALTIME seconds, 0: never */
	__u64 reset_escapes; /* state.escapes then */
	__u64 reserved[2];
	__u64 reset_error[SYVA_HOOK_SLOTS]; /* counters[hook].error then */
	__u64 reset_lost[SYVA_HOOK_SLOTS];  /* counters[hook].lost then */
};
_Static_assert(sizeof(struct syva_meta) == 344, "syva_meta layout");

#define SYVA_SELFTEST_RAN (1u << 0)
#define SYVA_SELFTEST_CGROUP (1u << 1) /* caller cgroup id as userspace sees it */
#define SYVA_SELFTEST_INODE (1u << 2)  /* (dev, ino) as stat(2) gives it */
#define SYVA_SELFTEST_TASK (1u << 3)   /* task -> cgroup id chain */
#define SYVA_SELFTEST_UNIX (1u << 4)   /* socket owner cgroup */
#define SYVA_SELFTEST_FAILED (1u << 31)

/* state: one record, written only by the BPF programs. */
struct syva_state {
	__u64 event_seq; /* last event_id handed out */
	__u64 escapes;	 /* cgroup escapes detected since the load */
	__u64 reserved[6];
};
_Static_assert(sizeof(struct syva_state) == 64, "syva_state layout");

/* zones[id]: policy of one zone. Array indexed by zone id. */
#define SYVA_ZONE_IN_USE (1u << 0)
#define SYVA_ZONE_PTRACE (1u << 1)   /* same-zone ptrace allowed */
#define SYVA_ZONE_NET_OPEN (1u << 2) /* network mode open (default isolated) */
#define SYVA_ZONE_AUDIT (1u << 3)    /* this zone only would-denies */
struct syva_zone {
	__u32 flags;
	__u32 reserved;
	char name[SYVA_ZONE_NAME_MAX];
};
_Static_assert(sizeof(struct syva_zone) == 72, "syva_zone layout");

/* zone_names: name (NUL padded to 64) -> zone id, the reverse of zones. */
struct syva_zone_name {
	char name[SYVA_ZONE_NAME_MAX];
};

/* zone_stats[id] (per CPU): decisions taken for callers in that zone. */
struct syva_zone_stats {
	__u64 allow;
	__u64 deny;
	__u64 audit;
	__u64 reserved;
};
_Static_assert(sizeof(struct syva_zone_stats) == 32, "syva_zone_stats layout");

/* cgroups: cgroup v2 id -> membership. */
#define SYVA_MEMBER_EXPLICIT (1u << 0)	/* attached by syva-attach */
#define SYVA_MEMBER_INHERITED (1u << 1) /* created below a zoned cgroup */
struct syva_member {
	__u32 zone;
	__u32 flags;
};
_Static_assert(sizeof(struct syva_member) == 8, "syva_member layout");

/*
 * files: file identity -> owning zone. dev is the kernel's dev_t of the
 * superblock (s_dev: major << 20 | minor), not stat(2)'s st_dev encoding.
 */
struct syva_file_key {
	__u64 ino;
	__u32 dev;
	__u32 pad; /* must be zero: the whole key is hashed */
};
_Static_assert(sizeof(struct syva_file_key) == 16, "syva_file_key layout");

#define SYVA_FILE_TRUNCATED (1u << 0) /* registered path did not fit */
struct syva_file {
	__u32 zone;
	__u32 flags;
};
_Static_assert(sizeof(struct syva_file) == 8, "syva_file layout");

/* paths: same key -> the path it was registered under (may be truncated). */
struct syva_path {
	char path[SYVA_PATH_MAX];
};

/* pairs: an allowed zone pair, stored once as (lower id, higher id). */
struct syva_pair {
	__u32 lo;
	__u32 hi;
};
_Static_assert(sizeof(struct syva_pair) == 8, "syva_pair layout");

/* counters[hook] (per CPU). allow counts zoned callers only. */
struct syva_counters {
	__u64 allow;
	__u64 deny;
	__u64 audit;
	__u64 error; /* kernel read failed: allowed (fail open) and counted */
	__u64 lost;  /* event not delivered: ring buffer full */
	__u64 reserved[3];
};
_Static_assert(sizeof(struct syva_counters) == 64, "syva_counters layout");

/*
 * Network. Addresses are kept as 16 bytes in network order; IPv4 is stored
 * as its IPv4-mapped IPv6 form (::ffff:a.b.c.d) wherever both families share
 * a map, so a mapped destination can never be judged differently.
 */
struct syva_ip {
	__u8 addr[16];
};
_Static_assert(sizeof(struct syva_ip) == 16, "syva_ip layout");

/* egress4 / egress6 LPM keys: prefixlen counts the 32 zone bits too. */
struct syva_egress4_key {
	__u32 prefixlen;
	__u32 zone; /* big endian, so it is matched as a prefix */
	__u8 addr[4];
};
_Static_assert(sizeof(struct syva_egress4_key) == 12, "syva_egress4_key layout");
struct syva_egress6_key {
	__u32 prefixlen;
	__u32 zone; /* big endian */
	__u8 addr[16];
};
_Static_assert(sizeof(struct syva_egress6_key) == 24, "syva_egress6_key layout");

#define SYVA_PORT_RANGES 16
struct syva_port_range {
	__u16 lo; /* host order, inclusive; 0-65535 means any port */
	__u16 hi;
};
_Static_assert(sizeof(struct syva_port_range) == 4, "syva_port_range layout");
/*
 * Value of an egress entry: the ranges declared for exactly this prefix, and
 * the effective ranges the kernel checks (this prefix's and every covering
 * prefix's of the zone, merged), because an LPM lookup only returns the
 * longest match.
 */
struct syva_ports {
	__u16 nr_declared;
	__u16 nr_effective;
	__u32 reserved;
	struct syva_port_range declared[SYVA_PORT_RANGES];
	struct syva_port_range effective[SYVA_PORT_RANGES];
};
_Static_assert(sizeof(struct syva_ports) == 136, "syva_ports layout");

/*
 * Event record in the ring buffer: one per deny, would-deny (audit) and
 * escape. pid/tgid/uid/comm/cgroup_id are the current task's: the caller of
 * the denied syscall, or for an escape the task that moved the zoned one
 * (target_pid/target_comm, destination target_cgroup_id).
 */
#define SYVA_EVENT_PATH 128
struct syva_event {
	__u64 ts_boot_ns; /* CLOCK_BOOTTIME */
	__u64 event_id;
	__u64 cgroup_id;
	__u64 generation;
	__u64 ino;		/* file object, or 0 */
	__u64 target_cgroup_id; /* escape destination, unix peer cgroup */
	__u32 dev;
	__u32 pid; /* thread id */
	__u32 tgid;
	__u32 uid;
	__u32 zone;
	__u32 peer_zone;
	__u32 target_pid; /* signalled/traced process, or 0 */
	__u8 hook;	  /* enum syva_hook */
	__u8 action;	  /* enum syva_action */
	__u8 family;	  /* AF_INET / AF_INET6 for network objects */
	__u8 reason;	  /* hook-specific detail, see SYVA_WHY_* */
	__u16 port;	  /* host order */
	__u16 reserved;
	__u32 reserved2;
	__u8 addr[16]; /* network order; IPv4 as ::ffff:a.b.c.d */
	char comm[SYVA_COMM_LEN];
	char target_comm[SYVA_COMM_LEN];
	char path[SYVA_EVENT_PATH]; /* the path the process used, where known */
};
_Static_assert(sizeof(struct syva_event) == 264, "syva_event layout");

/* What refines a hook's reason (event.reason). */
enum syva_why {
	SYVA_WHY_NONE = 0,
	SYVA_WHY_PAIR = 1,	  /* target zone not same and not an allowed pair */
	SYVA_WHY_ISOLATED = 2,	  /* isolated zone, destination not allowlisted */
	SYVA_WHY_BIND = 3,	  /* isolated zone binding a non-loopback address */
	SYVA_WHY_PTRACE_SAME = 4, /* same-zone ptrace without --ptrace */
	SYVA_WHY_MOVED = 5,	  /* escape: written to cgroup.procs or .threads */
	SYVA_WHY_CLONED = 6,	  /* escape: clone3(CLONE_INTO_CGROUP) */
};

/*
 * selftest: one record used only while syva-load runs its self-tests: the
 * self-test program (attached for the test, then detached) records what the
 * kernel sees for the loader's own opens, and syva-load compares it with what
 * userspace knows. Not pinned.
 */
struct syva_selftest {
	__u32 tgid; /* only this process is observed */
	__u32 hits;
	__u64 want_ino;	      /* only a file with this inode number is recorded */
	__u64 cgroup_id;      /* bpf_get_current_cgroup_id() */
	__u64 task_cgroup_id; /* the same, read through task->cgroups */
	struct syva_file_key key;
	__u64 unix_cgroup_id; /* owner cgroup of a listener, as the unix hooks read it */
};
_Static_assert(sizeof(struct syva_selftest) == 56, "syva_selftest layout");

#endif /* SYVA_ABI_H */
