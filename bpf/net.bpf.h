/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Network boundaries: isolated zones, egress allowlists, pod-IP zones
 * (connect, sendmsg, bind; IPv4 and IPv6).
 * Included by syva.bpf.c.
 */
