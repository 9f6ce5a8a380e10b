// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hooks by counter slot, and the BPF programs each tool expects to find
 * attached (pinned under links/), kept here once so status, events and tests
 * agree on names without linking the skeleton. tests/host checks this table
 * against the programs in the built object.
 */
#include <string.h>
#include "syva.h"

const char *const syva_hook_names[SYVA_HOOK_MAX] = {
	[SYVA_HOOK_FILE_OPEN] = "file_open",
	[SYVA_HOOK_BPRM_CHECK] = "bprm_check_security",
	[SYVA_HOOK_MMAP_FILE] = "mmap_file",
	[SYVA_HOOK_FILE_MPROTECT] = "file_mprotect",
	[SYVA_HOOK_PTRACE] = "ptrace_access_check",
	[SYVA_HOOK_TASK_KILL] = "task_kill",
	[SYVA_HOOK_SIGIOTASK] = "file_send_sigiotask",
	[SYVA_HOOK_UNIX_CONNECT] = "unix_stream_connect",
	[SYVA_HOOK_UNIX_SEND] = "unix_may_send",
	[SYVA_HOOK_SOCK_CONNECT] = "socket_connect",
	[SYVA_HOOK_SOCK_SENDMSG] = "socket_sendmsg",
	[SYVA_HOOK_SOCK_BIND] = "socket_bind",
	[SYVA_HOOK_CGROUP_ATTACH] = "cgroup_attach_task",
	[SYVA_HOOK_SOCK_LISTEN] = "socket_listen",
};

/* Every program syva-load attaches; slot -1: a helper that never decides. */
const struct syva_prog syva_progs[] = {
	{ "syva_file_open", SYVA_HOOK_FILE_OPEN },
	{ "syva_bprm_check", SYVA_HOOK_BPRM_CHECK },
	{ "syva_mmap_file", SYVA_HOOK_MMAP_FILE },
	{ "syva_file_mprotect", SYVA_HOOK_FILE_MPROTECT },
	{ "syva_inode_free", -1 },
	/* PTRACE_TRACEME is ptrace too: one slot, counted together. */
	{ "syva_ptrace_access_check", SYVA_HOOK_PTRACE },
	{ "syva_ptrace_traceme", SYVA_HOOK_PTRACE },
	{ "syva_task_kill", SYVA_HOOK_TASK_KILL },
	{ "syva_file_set_fowner", -1 },
	{ "syva_file_send_sigiotask", SYVA_HOOK_SIGIOTASK },
	{ "syva_unix_stream_connect", SYVA_HOOK_UNIX_CONNECT },
	{ "syva_unix_may_send", SYVA_HOOK_UNIX_SEND },
	{ "syva_socket_connect", SYVA_HOOK_SOCK_CONNECT },
	{ "syva_socket_sendmsg", SYVA_HOOK_SOCK_SENDMSG },
	{ "syva_socket_bind", SYVA_HOOK_SOCK_BIND },
	{ "syva_socket_listen", SYVA_HOOK_SOCK_LISTEN },
	{ "syva_cgroup_mkdir", -1 },
	{ "syva_cgroup_rmdir", -1 },
	/* The escape detector: optional, see syva_prog_optional(). */
	{ "syva_escape_enter", SYVA_HOOK_CGROUP_ATTACH },
	{ "syva_escape_exit", SYVA_HOOK_CGROUP_ATTACH },
	{ "syva_escape_fork", SYVA_HOOK_CGROUP_ATTACH },
	{}
};

int syva_hook_slot(const char *name)
{
	int i;

	for (i = 0; i < SYVA_HOOK_MAX; i++)
		if (syva_hook_names[i] && !strcmp(name, syva_hook_names[i]))
			return i;
	return -1;
}
