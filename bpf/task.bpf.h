/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Process boundaries: ptrace, signals (task_kill, and F_SETOWN SIGIO/SIGURG
 * via file_send_sigiotask).
 * Included by syva.bpf.c.
 */
