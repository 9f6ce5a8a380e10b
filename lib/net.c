// SPDX-License-Identifier: GPL-2.0-only
/*
 * Network policy in userspace: addresses, prefixes and egress SPECs parsed
 * and printed one way for syva-zone egress and syva-ipzone, and a zone's
 * egress allowlist edited as a whole. IPv4 is held as ::ffff:a.b.c.d, as the
 * maps hold it, so an IPv4-mapped IPv6 address is the IPv4 address. Port
 * sets are kept sorted and merged; each LPM entry also carries the merged
 * ports of every covering prefix of its zone ("effective"), because the
 * kernel's LPM lookup returns the longest match only. Every egress edit
 * therefore recomputes the zone's entries in memory, checks them, and only
 * then writes the difference in one transaction.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "syva.h"

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

bool net_is_v4(const struct syva_ip *ip)
{
	return !memcmp(ip->addr, v4mapped, sizeof(v4mapped));
}

bool net_is_loopback(const struct syva_ip *ip)
{
	static const uint8_t one[16] = { [15] = 1 };

	return net_is_v4(ip) ? ip->addr[12] == 127 : !memcmp(ip->addr, one, 16);
}

bool net_is_unspecified(const struct syva_ip *ip)
{
	static const uint8_t zero[16];

	return net_is_v4(ip) ? !memcmp(ip->addr + 12, zero, 4) : !memcmp(ip->addr, zero, 16);
}

/* Bits of the 16-byte form that a prefix of this family and length fixes. */
static unsigned int abits(const struct net_prefix *p)
{
	return p->v4 ? 96 + p->len : p->len;
}

static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned int n)
{
	unsigned int bytes = n / 8, rest = n % 8;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));

	if (memcmp(a, b, bytes))
		return false;
	return !rest || !((a[bytes] ^ b[bytes]) & mask);
}

/* Does prefix a cover prefix b (same family, shorter or equal, same bits)? */
static bool covers(const struct net_prefix *a, const struct net_prefix *b)
{
	return a->v4 == b->v4 && a->len <= b->len &&
	       bits_equal(a->addr.addr, b->addr.addr, abits(a));
}

/* Clear the bits past the prefix; true if any was set. */
static bool mask_host(struct net_prefix *p)
{
	unsigned int n = abits(p), i;
	bool set = false;

	for (i = n; i < 128; i++) {
		uint8_t bit = 0x80 >> (i % 8);

		if (p->addr.addr[i / 8] & bit) {
			p->addr.addr[i / 8] &= ~bit;
			set = true;
		}
	}
	return set;
}

/* An address: IPv4 dotted quad or IPv6 (an IPv4-mapped one becomes IPv4). */
static bool parse_ip(const char *s, struct syva_ip *ip, bool *v4)
{
	uint8_t a4[4];

	if (inet_pton(AF_INET, s, a4) == 1) {
		memcpy(ip->addr, v4mapped, sizeof(v4mapped));
		memcpy(ip->addr + 12, a4, 4);
		*v4 = true;
		return true;
	}
	if (!strchr(s, ':') || inet_pton(AF_INET6, s, ip->addr) != 1)
		return false;
	*v4 = net_is_v4(ip);
	return true;
}

const char *net_parse_addr(const char *s, struct syva_ip *ip)
{
	bool v4;

	if (!parse_ip(s, ip, &v4))
		return "expected one IPv4 or IPv6 address (192.0.2.10, 2001:db8::10)";
	return NULL;
}

#define SPEC_EXPECTED                                                  \
	"expected CIDR[:PORT[-PORT]], IPv6 in brackets before a port " \
	"([2001:db8::/32]:443)"

/* ADDR[/LEN] into p; NULL or what is wrong. */
static const char *parse_prefix(char *s, struct net_prefix *p)
{
	char *slash = strchr(s, '/');
	uint64_t len;
	bool v6form;

	if (slash)
		*slash = 0;
	v6form = strchr(s, ':') != NULL;
	if (!parse_ip(s, &p->addr, &p->v4))
		return SPEC_EXPECTED;
	if (!slash) {
		p->len = p->v4 ? 32 : 128;
		return NULL;
	}
	if (parse_u64(slash + 1, 0, v6form ? 128 : 32, &len))
		return v6form ? "an IPv6 prefix length is 0-128" : "an IPv4 prefix length is 0-32";
	/* ::ffff:a.b.c.d/N: the IPv4 prefix it denotes, when N covers 96 bits. */
	if (v6form && p->v4) {
		if (len < 96)
			p->v4 = false;
		else
			len -= 96;
	}
	p->len = (uint8_t)len;
	return NULL;
}

/* PORT or PORT-PORT, 1-65535. */
static const char *parse_ports(const char *s, struct syva_port_range *r)
{
	char lo[8], *dash = strchr(s, '-');
	uint64_t a, b;
	size_t n = dash ? (size_t)(dash - s) : strlen(s);

	if (!*s)
		return "a port or a range LOW-HIGH follows ':' (1-65535)";
	if (n >= sizeof(lo))
		return "ports are 1-65535";
	memcpy(lo, s, n);
	lo[n] = 0;
	if (parse_u64(lo, 1, 65535, &a))
		return "ports are 1-65535";
	b = a;
	if (dash && parse_u64(dash + 1, 1, 65535, &b))
		return "ports are 1-65535";
	if (b < a)
		return "a port range is LOW-HIGH with LOW <= HIGH";
	r->lo = (uint16_t)a;
	r->hi = (uint16_t)b;
	return NULL;
}

const char *net_parse_spec(const char *spec, struct net_spec *sp)
{
	static char why[128];
	char buf[NET_SPEC_LEN + 8], *cidr = buf, *ports = NULL, *end;
	const char *err;
	struct net_prefix canon;
	bool bracket = spec[0] == '[';

	memset(sp, 0, sizeof(*sp));
	sp->ports.lo = 0;
	sp->ports.hi = 65535;
	if (strlen(spec) >= sizeof(buf))
		return SPEC_EXPECTED;
	strcpy(buf, spec);
	if (bracket) {
		end = strchr(buf, ']');
		if (!end)
			return "a '[' needs its ']': [2001:db8::/32]:443";
		*end = 0;
		cidr = buf + 1;
		if (end[1] == ':')
			ports = end + 2;
		else if (end[1])
			return SPEC_EXPECTED;
		if (!strchr(cidr, ':')) {
			snprintf(why, sizeof(why), "brackets are for IPv6 only (write %s%s%s)",
				 cidr, ports ? ":" : "", ports ? ports : "");
			return why;
		}
	} else if (strchr(buf, ':') && strchr(buf, ':') == strrchr(buf, ':')) {
		/* One colon: IPv4 with a port (IPv6 has at least two). */
		ports = strchr(buf, ':');
		*ports++ = 0;
	} else if (strchr(buf, ':')) {
		/* IPv6 without brackets takes no port: "/32:443" is a mistake. */
		char *slash = strchr(buf, '/');

		if (slash && strchr(slash, ':'))
			return "an IPv6 prefix with a port is written [2001:db8::/32]:443";
	}
	err = parse_prefix(cidr, &sp->pfx);
	if (err)
		return err;
	if (ports && (err = parse_ports(ports, &sp->ports)))
		return err;
	canon = sp->pfx;
	if (mask_host(&canon)) {
		struct net_spec c = { canon, { 0, 65535 } };
		char s[NET_SPEC_LEN];

		snprintf(why, sizeof(why), "host bits are set past the prefix (did you mean %s?)",
			 net_fmt_spec(&c, s));
		return why;
	}
	return NULL;
}

const char *net_fmt_addr(const struct syva_ip *ip, char buf[NET_ADDR_LEN])
{
	if (net_is_v4(ip))
		inet_ntop(AF_INET, ip->addr + 12, buf, NET_ADDR_LEN);
	else
		inet_ntop(AF_INET6, ip->addr, buf, NET_ADDR_LEN);
	return buf;
}

static bool any_port(const struct syva_port_range *r)
{
	return r->lo == 0 && r->hi == 65535;
}

static int fmt_ports(const struct syva_port_range *r, char *buf, size_t len)
{
	if (r->lo == r->hi)
		return snprintf(buf, len, "%u", r->lo);
	return snprintf(buf, len, "%u-%u", r->lo, r->hi);
}

const char *net_fmt_spec(const struct net_spec *sp, char buf[NET_SPEC_LEN])
{
	char a[NET_ADDR_LEN], p[16];

	net_fmt_addr(&sp->pfx.addr, a);
	if (any_port(&sp->ports)) {
		snprintf(buf, NET_SPEC_LEN, "%s/%u", a, sp->pfx.len);
		return buf;
	}
	fmt_ports(&sp->ports, p, sizeof(p));
	snprintf(buf, NET_SPEC_LEN, sp->pfx.v4 ? "%s/%u:%s" : "[%s/%u]:%s", a,
		 sp->pfx.len, p);
	return buf;
}

/* ---- port sets ---------------------------------------------------------- */

static int by_lo(const void *a, const void *b)
{
	const struct syva_port_range *x = a, *y = b;

	return x->lo != y->lo ? x->lo - y->lo : x->hi - y->hi;
}

/* Sort and merge overlapping or adjacent ranges in place; the new count. */
static size_t ranges_norm(struct syva_port_range *r, size_t n)
{
	size_t i, out = 0;

	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), by_lo);
	for (i = 1; i < n; i++) {
		if ((uint32_t)r[i].lo <= (uint32_t)r[out].hi + 1) {
			if (r[i].hi > r[out].hi)
				r[out].hi = r[i].hi;
			continue;
		}
		r[++out] = r[i];
	}
	return out + 1;
}

/* ---- a zone's egress allowlist ------------------------------------------ */

static void key4(uint32_t zone, const struct net_prefix *p,
		 struct syva_egress4_key *k)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = 32 + p->len;
	k->zone = htobe32(zone);
	memcpy(k->addr, p->addr.addr + 12, 4);
}

static void key6(uint32_t zone, const struct net_prefix *p,
		 struct syva_egress6_key *k)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = 32 + p->len;
	k->zone = htobe32(zone);
	memcpy(k->addr, p->addr.addr, 16);
}

static struct egress_entry *grow(struct egress_list *l)
{
	struct egress_entry *e;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
		if (!l->e)
			die(EX_OSERR, "out of memory");
	}
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

static void load_map(struct syva *s, int map, struct egress_list *l)
{
	union {
		struct syva_egress4_key k4;
		struct syva_egress6_key k6;
	} key, next;
	void *prev = NULL;
	struct egress_entry *e;

	while (!bpf_map_get_next_key(s->fd[map], prev, &next)) {
		key = next;
		prev = &key;
		/* Both key layouts start with prefixlen, then the zone. */
		if (be32toh(key.k4.zone) != l->zone)
			continue;
		e = grow(l);
		if (map == M_EGRESS4) {
			memcpy(e->pfx.addr.addr, v4mapped, sizeof(v4mapped));
			memcpy(e->pfx.addr.addr + 12, key.k4.addr, 4);
			e->pfx.len = (uint8_t)(key.k4.prefixlen - 32);
			e->pfx.v4 = true;
		} else {
			memcpy(e->pfx.addr.addr, key.k6.addr, 16);
			e->pfx.len = (uint8_t)(key.k6.prefixlen - 32);
		}
		/* The exact key from the walk: the lookup returns this entry. */
		if (bpf_map_lookup_elem(s->fd[map], &key, &e->val))
			die(EX_OSERR, "cannot read map %s: %s", syva_maps[map].name,
			    strerror(errno));
		e->old = e->val;
		e->stored = true;
	}
}

void egress_load(struct syva *s, uint32_t zone, struct egress_list *l)
{
	memset(l, 0, sizeof(*l));
	l->zone = zone;
	load_map(s, M_EGRESS4, l);
	load_map(s, M_EGRESS6, l);
}

void egress_free(struct egress_list *l)
{
	free(l->e);
	memset(l, 0, sizeof(*l));
}

static struct egress_entry *find(struct egress_list *l,
				 const struct net_prefix *p)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->e[i].pfx.v4 == p->v4 && l->e[i].pfx.len == p->len &&
		    !memcmp(l->e[i].pfx.addr.addr, p->addr.addr, 16))
			return &l->e[i];
	return NULL;
}

static const char *too_many(const struct net_prefix *p, size_t n,
			    const char *what)
{
	static char why[200];
	struct net_spec sp = { *p, { 0, 65535 } };
	char s[NET_SPEC_LEN];

	snprintf(why, sizeof(why), "%s would have %zu port ranges%s: at most %d",
		 net_fmt_spec(&sp, s), n, what, SYVA_PORT_RANGES);
	return why;
}

const char *egress_add(struct egress_list *l, const struct net_spec *sp)
{
	struct syva_port_range r[SYVA_PORT_RANGES + 1];
	struct egress_entry *e = find(l, &sp->pfx);
	size_t n;

	if (!e) {
		e = grow(l);
		e->pfx = sp->pfx;
	}
	n = e->val.nr_declared;
	memcpy(r, e->val.declared, n * sizeof(*r));
	r[n++] = sp->ports;
	n = ranges_norm(r, n);
	if (n > SYVA_PORT_RANGES)
		return too_many(&sp->pfx, n, "");
	memcpy(e->val.declared, r, n * sizeof(*r));
	e->val.nr_declared = (uint16_t)n;
	return NULL;
}

const char *egress_del(struct egress_list *l, const struct net_spec *sp)
{
	static char why[200];
	struct syva_port_range r[SYVA_PORT_RANGES + 1];
	struct egress_entry *e = find(l, &sp->pfx);
	const struct syva_port_range *d = &sp->ports;
	size_t i, n = 0;

	if (!e || !e->val.nr_declared)
		return NULL; /* deleting what is not there is done already */
	if (any_port(d)) {
		e->val.nr_declared = 0;
		return NULL;
	}
	if (e->val.nr_declared == 1 && any_port(&e->val.declared[0])) {
		struct net_spec all = { sp->pfx, { 0, 65535 } };
		char s[NET_SPEC_LEN], p[16];

		fmt_ports(d, p, sizeof(p));
		snprintf(why, sizeof(why),
			 "cannot delete port %s of %s: it allows any port (delete %s itself, then add the ports to keep)",
			 p, net_fmt_spec(&all, s), s);
		return why;
	}
	/* Set difference: a range may split in two. */
	for (i = 0; i < e->val.nr_declared; i++) {
		struct syva_port_range x = e->val.declared[i];

		if (x.hi < d->lo || x.lo > d->hi) {
			r[n++] = x;
			continue;
		}
		if (x.lo < d->lo)
			r[n++] = (struct syva_port_range){ x.lo, d->lo - 1 };
		if (x.hi > d->hi)
			r[n++] = (struct syva_port_range){ d->hi + 1, x.hi };
	}
	if (n > SYVA_PORT_RANGES)
		return too_many(&sp->pfx, n, "");
	memcpy(e->val.declared, r, n * sizeof(*r));
	e->val.nr_declared = (uint16_t)n;
	return NULL;
}

/* Effective ports of every live entry: its own and every covering prefix's. */
static const char *compute_effective(struct egress_list *l)
{
	struct syva_port_range *r;
	size_t i, j, n, cap = 0;

	for (i = 0; i < l->n; i++)
		cap += l->e[i].val.nr_declared;
	r = malloc((cap + 1) * sizeof(*r));
	if (!r)
		die(EX_OSERR, "out of memory");
	for (i = 0; i < l->n; i++) {
		struct egress_entry *e = &l->e[i];

		if (!e->val.nr_declared)
			continue;
		for (n = 0, j = 0; j < l->n; j++)
			if (covers(&l->e[j].pfx, &e->pfx)) {
				memcpy(r + n, l->e[j].val.declared,
				       l->e[j].val.nr_declared * sizeof(*r));
				n += l->e[j].val.nr_declared;
			}
		n = ranges_norm(r, n);
		if (n > SYVA_PORT_RANGES) {
			free(r);
			return too_many(&e->pfx, n, " with its covering prefixes");
		}
		memset(e->val.effective, 0, sizeof(e->val.effective));
		memcpy(e->val.effective, r, n * sizeof(*r));
		e->val.nr_effective = (uint16_t)n;
	}
	free(r);
	return NULL;
}

const char *egress_check(struct egress_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct syva_ports *v = &l->e[i].val;

		/* Unused slots are zero, so unchanged entries compare equal. */
		memset(v->declared + v->nr_declared, 0,
		       (SYVA_PORT_RANGES - v->nr_declared) * sizeof(v->declared[0]));
		v->reserved = 0;
	}
	return compute_effective(l);
}

static void put(struct egress_list *l, struct egress_entry *e, bool del)
{
	struct syva_egress4_key k4;
	struct syva_egress6_key k6;
	int map = e->pfx.v4 ? M_EGRESS4 : M_EGRESS6, err;
	void *key = e->pfx.v4 ? (void *)&k4 : (void *)&k6;

	if (e->pfx.v4)
		key4(l->zone, &e->pfx, &k4);
	else
		key6(l->zone, &e->pfx, &k6);
	if (!del) {
		txn_put(map, key, &e->val);
		return;
	}
	err = txn_delete(map, key);
	if (err)
		die(ex_of_errno(err), "cannot delete from map %s: %s",
		    syva_maps[map].name, strerror(-err));
}

void egress_store(struct egress_list *l)
{
	size_t i;

	/*
	 * Entries first, removals last: a destination always meets either its
	 * old or its new longest match, each already carrying final ports.
	 */
	for (i = 0; i < l->n; i++) {
		struct egress_entry *e = &l->e[i];

		if (e->val.nr_declared &&
		    (!e->stored || memcmp(&e->val, &e->old, sizeof(e->val))))
			put(l, e, false);
	}
	for (i = 0; i < l->n; i++)
		if (!l->e[i].val.nr_declared && l->e[i].stored)
			put(l, &l->e[i], true);
}

static int by_prefix(const void *a, const void *b)
{
	const struct egress_entry *x = a, *y = b;
	int c;

	if (x->pfx.v4 != y->pfx.v4)
		return x->pfx.v4 ? -1 : 1;
	c = memcmp(x->pfx.addr.addr, y->pfx.addr.addr, 16);
	return c ? c : x->pfx.len - y->pfx.len;
}

void egress_sort(struct egress_list *l)
{
	qsort(l->e, l->n, sizeof(*l->e), by_prefix);
}
