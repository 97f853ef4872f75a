#ifndef CAIRN_SYSTEM_H
#define CAIRN_SYSTEM_H

#include <sys/types.h>

/// Spawns `path` with `argv`/`envp` in a new process group whose id is the child's pid.
/// The child gets `stdin_fd`, `stdout_fd`, `stderr_fd` as 0/1/2, all signal dispositions reset
/// to default, an empty signal mask, every other descriptor closed, `cwd` as working folder
/// (when not NULL), and SIGKILL as parent-death signal (when `death_signal` is non-zero).
/// Returns 0 and stores the pid, or returns an errno value (including the child's exec error).
int cairn_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                int stdin_fd, int stdout_fd, int stderr_fd, int death_signal, pid_t *pid_out);

/// `pidfd_open(2)`; returns a descriptor or -1 with errno set.
int cairn_pidfd_open(pid_t pid);

/// Installs handlers for the given signals that write the signal number as one byte to a
/// non-blocking close-on-exec pipe. Returns the read end, or -1 with errno set.
/// Also unblocks them in the calling thread. Call once, from the main thread, before running units.
/// A second SIGINT, SIGTERM or SIGHUP while no session holds the signals (see
/// `cairn_signal_hold`) ends the process at once with 128 + the signal, after one line on
/// stderr: before a session's first unit there is nothing to stop or journal, and waiting for
/// the plan to finish would make Ctrl-C Ctrl-C slow.
int cairn_signal_pipe_install(const int *signals, int count);

/// A session's loop runs (units may run): signals only go to the pipe, however many come.
/// Calls nest; each `cairn_signal_hold` is undone by one `cairn_signal_release`.
void cairn_signal_hold(void);
void cairn_signal_release(void);

/// Ignores SIGPIPE process-wide.
void cairn_ignore_sigpipe(void);

/// 1 when child `pid` has exited (without reaping it, so its pid and group id stay reserved),
/// 0 when it is still running, -1 with errno on error.
int cairn_peek_exit(pid_t pid);

/// `syncfs(2)`: commits the file system holding `fd`; 0, or -1 with errno set.
int cairn_syncfs(int fd);

/// `pipe2` with close-on-exec and non-blocking ends.
int cairn_pipe(int fds[2]);

#endif
