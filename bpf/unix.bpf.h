/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unix socket boundaries: stream/seqpacket connect and datagram send, judged
 * by the zone of the cgroup owning the peer socket.
 * Included by syva.bpf.c.
 */
