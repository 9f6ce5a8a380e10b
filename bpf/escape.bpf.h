/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cgroup-escape detection: a zoned task moved out of its zone is detected
 * and recorded (BPF-LSM has no hook to prevent it).
 * Included by syva.bpf.c.
 */
