/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the syva tools share: errors and exit codes, the pinned maps and their
 * lock, zone names, all-or-nothing map edits, parsing, and output (text on a
 * TTY, JSON lines otherwise). Each tool in cmd/ is a usage string, a table of
 * subcommands and one function per subcommand on top of this.
 */
#ifndef SYVA_LIB_H
#define SYVA_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sysexits.h>
#include <jansson.h>
#include "abi.h"

/* ---- errors (err.c) ----------------------------------------------------- */

/* A meaningful "no": show or check found nothing. Others are <sysexits.h>. */
#define EX_NOTFOUND 1

extern const char *syva_prog;
extern int syva_verbose;

/* "prog: message" on stderr; die() also undoes an open map transaction. */
__attribute__((format(printf, 2, 3), noreturn)) void die(int code, const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void warnx(const char *fmt, ...);
__attribute__((noreturn)) void usage_error(const char *usage, const char *fmt, ...);
/* The exit code that fits a failed bpf(2) call's errno. */
int ex_of_errno(int err);

/* ---- subcommand dispatch (main.c) --------------------------------------- */

struct syva_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/*
 * Sets syva_prog, answers -h/--help with `usage` (the man page's SYNOPSIS)
 * and runs the subcommand named by argv[1]; exact matches only.
 */
int syva_main(int argc, char **argv, const char *usage,
	      const struct syva_cmd *cmds);
/* The same for tools without subcommands. */
void syva_init(int argc, char **argv, const char *usage);
/* The option getopt_long just refused (or that this subcommand refuses). */
const char *opt_name(char **argv);

/* ---- hooks and programs (hooks.c) --------------------------------------- */

extern const char *const syva_hook_names[SYVA_HOOK_MAX];
struct syva_prog {
	const char *name; /* BPF program, and its link's pin name */
	int slot;	  /* counter slot, or -1 for a helper program */
};
extern const struct syva_prog syva_progs[]; /* ends with { NULL } */
/* Slot of a hook name, or -1. */
int syva_hook_slot(const char *name);

/* ---- the pinned maps (pins.c) ------------------------------------------- */

enum syva_map_id {
	M_META,
	M_STATE,
	M_ZONES,
	M_ZONE_NAMES,
	M_ZONE_STATS,
	M_CGROUPS,
	M_FILES,
	M_PATHS,
	M_PAIRS,
	M_COUNTERS,
	M_EVENTS,
	M_IPZONES,
	M_EGRESS4,
	M_EGRESS6,
	M_FOWNERS,
	M__NR,
};

struct syva_map_desc {
	const char *name;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
};
extern const struct syva_map_desc syva_maps[M__NR];

enum { SYVA_READ = 0,
       SYVA_WRITE = 1 };

struct syva {
	int dirfd;
	int fd[M__NR];
	uint32_t max[M__NR]; /* each map's max_entries */
	bool writing;
	struct syva_meta meta;
	int ncpus;
};

/* The pin root: $SYVA_BPFFS or /sys/fs/bpf/syva. */
const char *syva_pin_root(void);
/*
 * Open every pinned map, checking the ABI version and each map's type and
 * sizes; SYVA_WRITE also takes the pin directory's lock. Dies with 69 when
 * syva is not loaded, 78 on a layout mismatch, 75 when the lock stays busy.
 */
void syva_open(struct syva *s, int mode);
void syva_close(struct syva *s);
/* Sum a per-CPU value made of n u64 counters over every CPU. */
int syva_percpu_sum(struct syva *s, int map, const void *key, uint64_t *sum,
		    int n);
/* Kernel dev_t (s_dev) of a stat(2) st_dev. */
uint32_t syva_kdev(uint64_t st_dev);

/* ---- all-or-nothing edits (txn.c) ---------------------------------------- */

/*
 * Between txn_begin and txn_commit every change is recorded with what it
 * replaced; txn_abort (and die(), and any exit before commit) puts it all
 * back in reverse order. Commit bumps the policy generation.
 */
void txn_begin(struct syva *s);
/* flags as bpf_map_update_elem; returns 0 or -errno (nothing recorded). */
int txn_update(int map, const void *key, const void *value, uint64_t flags);
int txn_delete(int map, const void *key);
/* txn_update that dies with a clear message (map full: 75). */
void txn_put(int map, const void *key, const void *value);
void txn_commit(void);
void txn_abort(void);

/* ---- zones (zone.c) ------------------------------------------------------ */

/* NULL when valid, else what is expected. */
const char *zone_name_problem(const char *name);
/* Dies (65) naming the bad value when the name is not a valid zone name. */
void zone_check_name(const char *name);
/* 0 and *id when known; "host" is id 0. -1 when unknown. */
int zone_find(struct syva *s, const char *name, uint32_t *id);
/* zone_find that dies (65) on an unknown zone. */
uint32_t zone_need(struct syva *s, const char *name);
/* The name of an id: "host" for 0; "zone-<id>" if it has none. */
const char *zone_name(struct syva *s, uint32_t id, char buf[SYVA_ZONE_NAME_MAX]);
int zone_get(struct syva *s, uint32_t id, struct syva_zone *z);
/*
 * For `list [ZONE]` after its options: open the maps read-only and resolve
 * the optional ZONE. True, with *only set, when the listing is filtered.
 */
bool zone_list_open(struct syva *s, int argc, char **argv, const char *usage,
		    uint32_t *only);

/* ---- parsing and input (parse.c) ---------------------------------------- */

/* Whole decimal number in [min, max]; -1 when not. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/*
 * Call fn for each item: the arguments, where "-" reads items from stdin,
 * one per line (or NUL-separated with nul). Returns the number of items.
 */
size_t for_each_item(int argc, char **argv, bool nul,
		     void (*fn)(const char *item, void *ctx), void *ctx);

/* ---- cgroups (cgroup.c) -------------------------------------------------- */

/* The cgroup v2 mount: $SYVA_CGROUP_ROOT or /sys/fs/cgroup. */
const char *cgroup_root(void);
/* An open directory fd for a cgroup given by path, pid or id; dies (66). */
int cgroup_open_path(const char *path);
int cgroup_open_pid(long pid);
int cgroup_open_id(uint64_t id);
uint64_t cgroup_fd_id(int fd);
/* Path of a cgroup id below the mount, or NULL if it no longer exists. */
char *cgroup_path_of_id(uint64_t id);
/*
 * Call fn for every cgroup strictly below dirfd, depth first, with its path
 * relative to dirfd; fn returns false to skip that cgroup's subtree.
 */
void cgroup_walk(int dirfd, bool (*fn)(uint64_t id, const char *rel, void *ctx),
		 void *ctx);
/* The id of the parent cgroup of a cgroup directory, or 0 at the root. */
uint64_t cgroup_parent_id(int fd);

/* ---- the loader (load.c; only syva-load links it) ---------------------- */

struct load_opts {
	bool no_attach;
	int mode;	     /* -1: keep (enforce on a first load) */
	uint32_t max[M__NR]; /* 0: keep the loaded size, or the default */
};
/* Load or upgrade in place, pin, self-test, attach. Exit code, 0 on success. */
int syva_load(const struct load_opts *o);
/* Detach every hook and remove every pin. */
int syva_unload(void);
/* Preflight report on stdout; 0 when this kernel can enforce, else 69. */
int syva_check(void);
/* Lock the pin root (creating it when create), return its fd; dies. */
int syva_lock_root(bool create);

/* ---- output (out.c) ------------------------------------------------------ */

enum out_mode { OUT_TEXT,
		OUT_JSON };
extern enum out_mode out_mode;

/* TTY: text; otherwise JSON lines. --json / --text override. */
void out_default(void);
/* One compact JSON object and a newline in one write; consumes obj. */
void out_json(json_t *obj);
/* Text output (stdout, line buffered). */
__attribute__((format(printf, 1, 2))) void out_text(const char *fmt, ...);
/* Exit 74 if stdout could not be written; quiet on a closed pipe. */
void out_flush(void);

json_t *j_u64s(uint64_t v); /* 64-bit kernel ids as decimal strings */
/*
 * Set key to the kernel bytes buf[0..max) up to the first NUL; bytes that are
 * not UTF-8 become U+FFFD and the raw bytes go to "<key>_hex" as well.
 */
void j_set_kstr(json_t *o, const char *key, const char *buf, size_t max);
/* RFC 3339 UTC with microseconds from a CLOCK_BOOTTIME nanosecond stamp. */
void fmt_boottime(uint64_t boot_ns, char *buf, size_t len);

/* Common option letters shared by the tools. */
#define OUT_LONGOPTS                           \
	{ "json", no_argument, NULL, 'J' },    \
	{                                      \
		"text", no_argument, NULL, 'T' \
	}
/* Handle -J/-T from getopt; true if it was one of them. */
bool out_opt(int c);
/* Parse a subcommand that takes only --json/--text; dies on others. */
void out_getopt(int argc, char **argv, const char *usage);

/* ---- network (net.c) ----------------------------------------------------- */

#define NET_ADDR_LEN 46 /* INET6_ADDRSTRLEN */
#define NET_SPEC_LEN 64 /* "[" IPv6 "/128]:65535-65535" and a NUL */

/*
 * An address prefix. IPv4 is held as ::ffff:a.b.c.d, as the maps hold it;
 * len counts bits of the address's own family (0-32 or 0-128).
 */
struct net_prefix {
	struct syva_ip addr;
	uint8_t len;
	bool v4;
};

/* An egress SPEC: a prefix and one port range ({0, 65535}: any port). */
struct net_spec {
	struct net_prefix pfx;
	struct syva_port_range ports;
};

/* ::ffff:0:0/96, 127.0.0.0/8 or ::1, 0.0.0.0 or ::. */
bool net_is_v4(const struct syva_ip *ip);
bool net_is_loopback(const struct syva_ip *ip);
bool net_is_unspecified(const struct syva_ip *ip);
/*
 * Parsers return NULL when valid, else what is expected, for the caller's
 * "invalid ... \"X\": <what>" message. An address is IPv4 or IPv6 with no
 * prefix or port. A SPEC is CIDR[:PORT[-PORT]], IPv6 as [CIDR]:PORT; a
 * bare address is /32 or /128; ::ffff:a.b.c.d/N (N >= 96) is IPv4.
 */
const char *net_parse_addr(const char *s, struct syva_ip *ip);
const char *net_parse_spec(const char *s, struct net_spec *sp);
/* IPv4 (also when mapped) as a.b.c.d; a SPEC the parser reads back. */
const char *net_fmt_addr(const struct syva_ip *ip, char buf[NET_ADDR_LEN]);
const char *net_fmt_spec(const struct net_spec *sp, char buf[NET_SPEC_LEN]);

/*
 * One zone's egress allowlist, both families, edited in memory: load, add
 * or del SPECs (port sets: union and difference), egress_check (recompute
 * effective ports; NULL or the problem), then egress_store inside a
 * transaction writes only what changed.
 */
struct egress_entry {
	struct net_prefix pfx;
	struct syva_ports val; /* nr_declared 0: to be removed */
	struct syva_ports old; /* as loaded */
	bool stored;
};
struct egress_list {
	uint32_t zone;
	struct egress_entry *e;
	size_t n, cap;
};
void egress_load(struct syva *s, uint32_t zone, struct egress_list *l);
const char *egress_add(struct egress_list *l, const struct net_spec *sp);
const char *egress_del(struct egress_list *l, const struct net_spec *sp);
const char *egress_check(struct egress_list *l);
void egress_store(struct egress_list *l);
/* IPv4 first, then by address and prefix length. */
void egress_sort(struct egress_list *l);
void egress_free(struct egress_list *l);

/* ---- events (events.c) --------------------------------------------------- */

/*
 * The escape detector's programs (slot cgroup_attach_task): evidence, not
 * enforcement. A kernel that refuses them still enforces; syva-load goes on
 * without them and syva-status reports them missing (degraded, not unsafe).
 */
bool syva_prog_optional(const char *prog);

/* "deny", "audit", "escape" ("allow" is never recorded); -1 if unknown. */
const char *event_action_name(unsigned int action);
int event_action_parse(const char *s);

/*
 * One event as its record, version EVENT_V. The key set is fixed and every
 * key is present (null when unknown): v ts event_id node action hook zone
 * peer_zone pid tgid uid comm cgroup_id path dev ino family addr port
 * target_pid target_comm target_cgroup_id target_cgroup policy_generation
 * severity reason{what_failed why_it_matters possible_causes}; plus
 * <key>_hex beside comm, path or target_comm bytes that are not UTF-8.
 */
#define EVENT_V 1
json_t *event_json(struct syva *s, const struct syva_event *e, const char *node);
/* Text: `HH:MM:SSZ ACTION hook zone -> peer pid= comm= object` + `why:` line. */
void event_print_text(json_t *rec);

#endif
