"""A seccomp filter that closes the kernel's channels between workers, installed by the worker
itself before any learner code runs (standard library only: this folder is all the sandbox sees).

Two workers may run as the same uid (``nobody`` under bubblewrap as root, the grader's own uid
without bubblewrap), and the kernel keeps some state per uid or per host rather than per process:
a learner could leave a signal there for a classmate graded beside or after it. The filter makes
the system calls that reach such state fail with ``EPERM``:

- **kernel keyrings** (``add_key``, ``request_key``, ``keyctl``): the per-uid user keyring and an
  inherited session keyring are shared by every worker of that uid, and keys outlive the worker;
- **System V IPC** (``shmget``/``msgget``/``semget`` and their operations) and **POSIX message
  queues** (``mq_*``): shared per IPC namespace, which is the host's without bubblewrap;
- **Unix-domain sockets** (``socket(AF_UNIX, ...)``): abstract addresses are shared per network
  namespace, which is the host's without bubblewrap (``socketpair`` stays allowed: it connects
  nothing outside the process);
- **other processes' memory** (``ptrace``, ``process_vm_readv``/``writev``, ``pidfd_getfd``);
- **namespaces and mounts** (``unshare``, ``setns``, ``clone`` with a ``CLONE_NEW*`` flag,
  ``mount``, ``umount2``, ``pivot_root`` and the new mount API ``fsopen``/``fsmount``/
  ``move_mount``/...): an unprivileged uid may create a user namespace and mount in it (a tmpfs
  past the sandbox's size limits). ``clone3`` passes its flags in memory a filter cannot read:
  it fails with ``ENOSYS``, and the C library falls back to ``clone`` (threads still start);
- **io_uring** (it opens the Unix sockets ``socket()`` refuses), **inotify/fanotify** (watching
  a shared read-only file for a classmate's opens is a channel between two workers graded side
  by side), and ``bpf``, ``userfaultfd``, ``perf_event_open`` (kernel surfaces no exercise needs);
- **socket families other than IPv4, IPv6 and netlink**: a network namespace confines those
  three, not every family (``AF_VSOCK`` reaches the hypervisor's host and other guests from any
  namespace);
- the **kernel log** (``syslog``): a classmate's crash is written there.

**Kernel state keyed by a shared file.** Workers graded side by side read the same files (the
Python installation, the packages, ``/dev/null``): bind mounts and read-only mounts change
neither the inode nor the page cache, and the kernel keys some state by inode. Each was a
working channel between two bubblewrap sandboxes of two uids:

- **file locks** (``flock``; ``fcntl`` ``F_SETLK``/``F_SETLKW`` and the open-file-description
  ``F_OFD_SETLK``/``F_OFD_SETLKW``: a read lock needs only read access): one worker holds a lock
  on a shared file, the other tests it. Inside the sandbox these calls succeed and lock nothing,
  so no worker ever holds a lock a classmate could see (``F_GETLK`` stays: there is nothing of a
  classmate's to report; a learner's own processes get no mutual exclusion from file locks);
- **directory notifications** (``fcntl`` ``F_NOTIFY``, "dnotify": a signal when a classmate reads
  a file of a shared folder) and **leases** (``F_SETLEASE``) are refused;
- **futexes** on a file's page are keyed by (inode, offset), also in a private mapping, so one
  worker's ``FUTEX_WAKE`` woke another's ``FUTEX_WAIT`` on the same page of a shared library. A
  futex call without ``FUTEX_PRIVATE_FLAG`` ("process-shared") never sleeps here: ``WAIT`` and
  ``WAKE`` (and their ``_BITSET`` forms) return 0 at once, as a spurious wake-up and a wake-up
  of nobody, which the C library's process-shared mutexes, condition variables and semaphores
  (``multiprocessing``'s locks) tolerate by checking the futex word again: they still exclude,
  by spinning instead of sleeping. The other process-shared operations (requeue, wake-op,
  priority inheritance) and the newer futex calls (``futex_waitv``, ``futex_wait``, ...) say
  ``ENOSYS``. Private futexes (every thread lock of one process) are untouched;
- the **dentry cache**: looking up a name that does not exist in a shared folder leaves a
  negative dentry, for as long as memory allows, and ``openat2`` with ``RESOLVE_CACHED`` tells a
  cached name (``ENOENT``) from one never looked up (``EAGAIN``): a message that one learner left
  in the names it looked up was read exactly by a classmate graded beside it *or days later*.
  ``openat2`` says ``ENOSYS`` (its flags are in memory the filter cannot read; the C library
  opens with ``openat``);
- the **page cache**: one worker evicted pages of a shared file (``posix_fadvise``
  ``DONTNEED``) and the other saw, exactly, which pages were cached (``preadv2`` with
  ``RWF_NOWAIT`` fails with ``EAGAIN`` for a page that is not). Advice (``fadvise64``) is
  accepted and ignored, as the kernel may; ``RWF_NOWAIT`` always says ``EAGAIN`` (the caller
  reads without it); Linux AIO (``io_setup``), which carries ``RWF_NOWAIT`` where a filter cannot
  read it, says ``ENOSYS``. Whether a page is cached still shows in how long a read takes: a
  timing channel, like CPU and memory contention (``grader/engine/sandbox.py`` lists what stays
  open, and why).

The filter is a classic BPF program over ``struct seccomp_data`` (``nr`` at offset 0, ``arch`` at
4, the low word of ``args[i]`` at 16 + 8 i, the layout of little-endian machines): system calls of another ABI (i386 or x32 on x86-64) are refused outright,
so none of the above can be reached through a second numbering. It is installed with
``SECCOMP_FILTER_FLAG_TSYNC`` (every thread of the worker) after ``PR_SET_NO_NEW_PRIVS``; a filter
cannot be removed, and it is inherited by every child and kept across ``execve``.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct
from typing import Any

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
RET_ALLOW = 0x7FFF0000
RET_EPERM = 0x00050000 | errno.EPERM
AF_UNIX = 1
X32_BIT = 0x40000000

RET_ENOSYS = 0x00050000 | errno.ENOSYS
RET_EAGAIN = 0x00050000 | errno.EAGAIN
RET_NOTHING = 0x00050000  # "errno 0": the call returns 0 and does nothing
#: clone() flags that make a new namespace (CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER,
#: NEWPID, NEWNET)
CLONE_NEW_NAMESPACES = 0x7E020000
#: the socket families a network namespace confines: AF_INET, AF_INET6, AF_NETLINK
SOCKET_FAMILIES = (2, 10, 16)
#: fcntl commands that take a lock (F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW): do nothing
FCNTL_LOCKS = (6, 7, 37, 38)
#: fcntl commands refused: F_SETLEASE, F_NOTIFY (dnotify)
FCNTL_REFUSED = (1024, 1026)
FUTEX_PRIVATE_FLAG = 128
FUTEX_CMD_MASK = 127
#: process-shared futex operations that return 0 at once: WAIT, WAKE, WAIT_BITSET, WAKE_BITSET
FUTEX_NO_SLEEP = (0, 1, 9, 10)
RWF_NOWAIT = 8

# BPF opcodes: ld word absolute, jump if equal / greater-or-equal / any bit set, A &= k, return
LD_ABS, JEQ, JGE, JSET, AND, RET = 0x20, 0x15, 0x35, 0x45, 0x54, 0x06

#: machine → (AUDIT_ARCH value, the numbers of the calls the program looks at); DENIED has the rest
ARCHES = {
    "x86_64": (
        0xC000003E,
        {
            "seccomp": 317,
            "socket": 41,
            "clone": 56,
            "clone3": 435,
            "fcntl": 72,
            "futex": 202,
            "preadv2": 327,
            "pwritev2": 328,
        },
    ),
    "aarch64": (
        0xC00000B7,
        {
            "seccomp": 277,
            "socket": 198,
            "clone": 220,
            "clone3": 435,
            "fcntl": 25,
            "futex": 98,
            "preadv2": 286,
            "pwritev2": 287,
        },
    ),
}
DENIED = {  # name → (x86_64, aarch64)
    "add_key": (248, 217),
    "request_key": (249, 218),
    "keyctl": (250, 219),
    "shmget": (29, 194),
    "shmat": (30, 196),
    "shmctl": (31, 195),
    "shmdt": (67, 197),
    "semget": (64, 190),
    "semop": (65, 193),
    "semctl": (66, 191),
    "semtimedop": (220, 192),
    "msgget": (68, 186),
    "msgsnd": (69, 189),
    "msgrcv": (70, 188),
    "msgctl": (71, 187),
    "mq_open": (240, 180),
    "mq_unlink": (241, 181),
    "mq_timedsend": (242, 182),
    "mq_timedreceive": (243, 183),
    "mq_notify": (244, 184),
    "mq_getsetattr": (245, 185),
    "ptrace": (101, 117),
    "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271),
    "pidfd_getfd": (438, 438),
    "unshare": (272, 97),
    "setns": (308, 268),
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    # the new mount API (a tmpfs mounted in a user namespace with these, past the sandbox's
    # size limits) and io_uring (it opened the Unix sockets socket() refuses)
    "open_tree": (428, 428),
    "move_mount": (429, 429),
    "fsopen": (430, 430),
    "fsconfig": (431, 431),
    "fsmount": (432, 432),
    "fspick": (433, 433),
    "mount_setattr": (442, 442),
    "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427),
    # watching files: a classmate's opens of a shared read-only file are a channel between
    # two workers graded side by side (inotify_init does not exist on aarch64)
    "inotify_init": (253, None),
    "inotify_init1": (294, 26),
    "inotify_add_watch": (254, 27),
    "fanotify_init": (300, 262),
    "fanotify_mark": (301, 263),
    # kernel surfaces no exercise needs and exploits favour
    "bpf": (321, 280),
    "userfaultfd": (323, 282),
    "perf_event_open": (298, 241),
    # the kernel log: a classmate's segfault is written there
    "syslog": (103, 116),
}
#: calls that return 0 and do nothing (name → (x86_64, aarch64)): a lock no classmate can see,
#: advice the kernel may ignore anyway
IGNORED = {
    "flock": (73, 32),
    "fadvise64": (221, 223),
}
#: calls that say ENOSYS: clone3 (glibc falls back to clone), the futex calls whose flags the
#: filter cannot read or check (futex_waitv, futex_wake, futex_wait, futex_requeue), Linux AIO,
#: openat2 (its RESOLVE_CACHED, in memory, probes the dentry cache; the C library uses openat)
NOT_HERE = {
    "clone3": (435, 435),
    "futex_waitv": (449, 449),
    "futex_wake": (454, 454),
    "futex_wait": (455, 455),
    "futex_requeue": (456, 456),
    "io_setup": (206, 0),
    "openat2": (437, 437),
}


class FilterError(OSError):
    """The filter could not be installed (unknown architecture, or the kernel refused it)."""


def supported() -> bool:
    """Whether this machine's architecture has a filter here (the kernel may still refuse it)."""
    return platform.system() == "Linux" and platform.machine() in ARCHES


def _numbers(table: dict[str, tuple[int | None, int | None]], column: int) -> list[int]:
    return sorted({nrs[column] for nrs in table.values() if nrs[column] is not None})


def _arg(index: int) -> int:
    """Offset of the low word of ``args[index]`` in ``struct seccomp_data``."""
    return 16 + 8 * index


def program(machine: str) -> list[tuple[int, int, int, int]]:
    """The filter for ``machine`` as (code, jt, jf, k) instructions."""
    arch, numbers = ARCHES[machine]
    column = list(ARCHES).index(machine)
    # (code, jt, jf, k) with jt/jf as labels; labels resolve to relative offsets below
    code: list[tuple[int | str, int | str, int | str, int]] = [
        (LD_ABS, 0, 0, 4),  # A = arch
        (JEQ, 0, "eperm", arch),  # another ABI (i386): refused
        (LD_ABS, 0, 0, 0),  # A = nr
    ]
    if machine == "x86_64":
        code.append((JGE, "eperm", 0, X32_BIT))  # x32 numbering: refused
    code += [(JEQ, "eperm", 0, nr) for nr in _numbers(DENIED, column)]
    code += [(JEQ, "enosys", 0, nr) for nr in _numbers(NOT_HERE, column)]
    code += [(JEQ, "nothing", 0, nr) for nr in _numbers(IGNORED, column)]
    code += [
        (JEQ, "clone", 0, numbers["clone"]),
        (JEQ, "socket", 0, numbers["socket"]),
        (JEQ, "fcntl", 0, numbers["fcntl"]),
        (JEQ, "futex", 0, numbers["futex"]),
        (JEQ, "rwv2", 0, numbers["preadv2"]),
        (JEQ, "rwv2", "allow", numbers["pwritev2"]),
        ("clone", 0, 0, 0),
        (LD_ABS, 0, 0, _arg(0)),  # clone's flags
        (JSET, "eperm", "allow", CLONE_NEW_NAMESPACES),
        ("socket", 0, 0, 0),
        (LD_ABS, 0, 0, _arg(0)),  # the address family
        *[(JEQ, "allow", 0, family) for family in SOCKET_FAMILIES],
        (JEQ, "eperm", "eperm", 0),  # any other family (AF_UNIX, AF_VSOCK, ...): refused
        ("fcntl", 0, 0, 0),
        (LD_ABS, 0, 0, _arg(1)),  # the command
        *[(JEQ, "nothing", 0, cmd) for cmd in FCNTL_LOCKS],
        *[(JEQ, "eperm", 0, cmd) for cmd in FCNTL_REFUSED],
        (JEQ, "allow", "allow", 0),
        ("futex", 0, 0, 0),
        (LD_ABS, 0, 0, _arg(1)),  # the operation
        (JSET, "allow", 0, FUTEX_PRIVATE_FLAG),  # private: keyed by this process alone
        (AND, 0, 0, FUTEX_CMD_MASK),
        *[(JEQ, "nothing", 0, op) for op in FUTEX_NO_SLEEP],
        (JEQ, "enosys", "enosys", 0),
        ("rwv2", 0, 0, 0),
        (LD_ABS, 0, 0, _arg(5)),  # preadv2/pwritev2's flags
        (JSET, "eagain", "allow", RWF_NOWAIT),
        ("allow", 0, 0, 0),
        (RET, 0, 0, RET_ALLOW),
        ("eperm", 0, 0, 0),
        (RET, 0, 0, RET_EPERM),
        ("enosys", 0, 0, 0),
        (RET, 0, 0, RET_ENOSYS),
        ("nothing", 0, 0, 0),
        (RET, 0, 0, RET_NOTHING),
        ("eagain", 0, 0, 0),
        (RET, 0, 0, RET_EAGAIN),
    ]
    return _assemble(code)


def _assemble(code: list[tuple[Any, Any, Any, int]]) -> list[tuple[int, int, int, int]]:
    """Drop the label rows (``(name, 0, 0, 0)``) and turn jumps to a label into BPF's offsets
    (the number of instructions skipped after the jump)."""
    labels: dict[str, int] = {}
    prog: list[tuple[Any, Any, Any, int]] = []
    for row in code:
        if isinstance(row[0], str):
            labels[row[0]] = len(prog)
        else:
            prog.append(row)

    def offset(pc: int, target: int | str) -> int:
        if isinstance(target, int):
            return target
        skip = labels[target] - pc - 1
        assert 0 <= skip <= 255, f"jump to {target} out of range"
        return skip

    return [(op, offset(pc, jt), offset(pc, jf), k) for pc, (op, jt, jf, k) in enumerate(prog)]


def install() -> None:
    """Install the filter on every thread of this process (irreversible); FilterError if not."""
    if not supported():
        raise FilterError(f"no syscall filter for {platform.system()} {platform.machine()}")
    machine = platform.machine()
    prog = program(machine)
    raw = b"".join(struct.pack("=HBBI", *ins) for ins in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(prog), ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise FilterError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    seccomp = ARCHES[machine][1]["seccomp"]
    flags = ctypes.c_ulong(SECCOMP_FILTER_FLAG_TSYNC)
    mode = ctypes.c_ulong(SECCOMP_SET_MODE_FILTER)
    if libc.syscall(ctypes.c_long(seccomp), mode, flags, ctypes.byref(fprog)) == 0:
        return
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL):  # no seccomp() syscall or no TSYNC: this thread
        if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0:
            return
        code = ctypes.get_errno()
    raise FilterError(code, f"the kernel refused the seccomp filter: {errno.errorcode.get(code)}")
