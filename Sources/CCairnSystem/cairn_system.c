#define _GNU_SOURCE
#include "cairn_system.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <pthread.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int cairn_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                int stdin_fd, int stdout_fd, int stderr_fd, int death_signal, pid_t *pid_out) {
    sigset_t all, old;
    sigfillset(&all);
    // Block every signal so no handler of the parent runs in the vfork child before exec.
    pthread_sigmask(SIG_SETMASK, &all, &old);
    volatile int child_error = 0;
    pid_t parent = getpid();
    pid_t pid = vfork();
    if (pid == 0) {
        // Child: only system calls until execve. Memory is shared with the parent.
        // exec resets caught signals to default but keeps ignored ones ignored: reset those
        // a runner or its parent shell commonly ignores (SIGPIPE is ignored by Cairn itself).
        static const int inherited[] = {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2,
                                        SIGCHLD, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU, SIGXFSZ};
        for (unsigned i = 0; i < sizeof inherited / sizeof inherited[0]; i++) {
            struct sigaction dfl;
            memset(&dfl, 0, sizeof dfl);
            dfl.sa_handler = SIG_DFL;
            sigaction(inherited[i], &dfl, NULL);
        }
        if (setpgid(0, 0) != 0) { child_error = errno; _exit(127); }
        if (death_signal != 0) {
            if (prctl(PR_SET_PDEATHSIG, death_signal) != 0) { child_error = errno; _exit(127); }
            if (getppid() != parent) _exit(127);
        }
        if (cwd != NULL && chdir(cwd) != 0) { child_error = errno; _exit(127); }
        int fds[3] = {stdin_fd, stdout_fd, stderr_fd};
        for (int i = 0; i < 3; i++) {
            if (fds[i] == i) {
                int flags = fcntl(i, F_GETFD);
                if (flags >= 0) fcntl(i, F_SETFD, flags & ~FD_CLOEXEC);
            } else if (dup2(fds[i], i) < 0) {
                child_error = errno;
                _exit(127);
            }
        }
        syscall(SYS_close_range, 3U, ~0U, 0U);
        sigset_t empty;
        sigemptyset(&empty);
        sigprocmask(SIG_SETMASK, &empty, NULL);
        execve(path, argv, envp);
        child_error = errno ? errno : ENOEXEC;
        _exit(127);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) return saved;
    if (child_error != 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        return child_error;
    }
    *pid_out = pid;
    return 0;
}

int cairn_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int signal_pipe_write = -1;

static volatile sig_atomic_t stop_signals = 0;
static volatile sig_atomic_t holders = 0;

static void cairn_signal_handler(int sig) {
    int saved = errno;
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
        stop_signals = stop_signals + 1;
        if (stop_signals >= 2 && holders == 0) {
            static const char message[] = "cairn: stopping at once (second signal; no unit was running)\n";
            ssize_t ignored = write(2, message, sizeof message - 1);
            (void)ignored;
            _exit(128 + sig);
        }
    }
    unsigned char byte = (unsigned char)sig;
    ssize_t ignored = write(signal_pipe_write, &byte, 1);
    (void)ignored;
    errno = saved;
}

void cairn_signal_hold(void) {
    __atomic_add_fetch(&holders, 1, __ATOMIC_SEQ_CST);
}

void cairn_signal_release(void) {
    __atomic_sub_fetch(&holders, 1, __ATOMIC_SEQ_CST);
}

int cairn_signal_pipe_install(const int *signals, int count) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
    signal_pipe_write = fds[1];
    sigset_t handled;
    sigemptyset(&handled);
    for (int i = 0; i < count; i++) {
        sigaddset(&handled, signals[i]);
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = cairn_signal_handler;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    // A parent may have started us with these signals blocked; they must reach the handler.
    pthread_sigmask(SIG_UNBLOCK, &handled, NULL);
    return fds[0];
}

void cairn_ignore_sigpipe(void) {
    signal(SIGPIPE, SIG_IGN);
}

int cairn_peek_exit(pid_t pid) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return -1;
    return info.si_pid == pid ? 1 : 0;
}

int cairn_pipe(int fds[2]) {
    return pipe2(fds, O_CLOEXEC | O_NONBLOCK);
}

int cairn_syncfs(int fd) {
    return syncfs(fd);
}
