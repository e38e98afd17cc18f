"""Files the user names: what may be read (regular files, capped) and written (whole or not at all)."""
from __future__ import annotations

import fcntl
import os
import re
import stat
import sys
import tempfile
from pathlib import Path

from .errors import RenderError, UsageError

NAME_MAX = 255  # bytes in one path component on the common file systems


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _shown(path) -> str:
    """A path as it goes into a one-line message: a very long name is cut in the middle."""
    s = str(path)
    return s if len(s) <= 80 else f"{s[:40]}...{s[-30:]}"


_STANDARD = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
_FD_PATH = re.compile(r"/(?:dev/fd|proc/(self|thread-self|[0-9]+)/fd)/([0-9]{1,9})")


def descriptor(path: str | os.PathLike) -> int | None:
    """The open file descriptor of this process that a path names (/dev/stdout, /dev/fd/N,
    /proc/self/fd/N, or a symbolic link to one), else None. Such a path is written through the
    descriptor: renaming a new file over what it resolves to would replace the file the shell
    redirected (`-o /dev/stdout >> log.txt` would lose log.txt's earlier content)."""
    p = os.path.abspath(os.fspath(path))
    for _ in range(40):  # the kernel's own limit on a chain of links
        if p in _STANDARD:
            fd = _STANDARD[p]
            break
        m = _FD_PATH.fullmatch(p)
        if m:
            if m.group(1) not in (None, "self", "thread-self") and int(m.group(1)) != os.getpid():
                return None
            fd = int(m.group(2))
            break
        try:
            p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
        except (OSError, ValueError):
            return None
    else:
        return None
    try:
        os.fstat(fd)
    except OSError:
        return None
    return fd


def write_descriptor(fd: int, data: str | bytes, shown: str) -> None:
    """Write all of data to an open descriptor (standard output, a pipe, a redirected file); a
    failed write (a full disk, /dev/full, a closed pipe) is an error, never a silent exit 0."""
    for stream in (sys.stdout, sys.stderr):  # what Python buffered for the same descriptor goes first
        try:
            if stream is not None and stream.fileno() == fd:
                stream.flush()
        except (OSError, ValueError):
            pass
    view = memoryview(data.encode("utf-8") if isinstance(data, str) else data)
    try:
        while view:
            view = view[os.write(fd, view[:1 << 20]):]
    except OSError as exc:
        raise RenderError(f"cannot write {shown}: {exc.strerror or exc}") from None


def write_stdout(data: str | bytes) -> None:
    """A document or report on standard output, as UTF-8 whatever the locale's encoding."""
    write_descriptor(1, data, "to standard output")


def read_capped(file: str | os.PathLike, limit: int, shown: str | None = None, hint: str = "") -> bytes:
    """The bytes of a regular file, refused beyond `limit` bytes; never reads more than limit + 1
    (a device such as /dev/zero or a file growing while read cannot make it read forever).
    `shown` is how messages name it (default: the path); `hint` follows a refusal of a device or FIFO."""
    name = shown or _shown(file)
    try:
        st = os.stat(file)
    except FileNotFoundError:
        raise UsageError(f"{name}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{name}: {kind_of(st.st_mode)}, not a regular file"
                         + (hint if not stat.S_ISDIR(st.st_mode) else ""))
    if st.st_size > limit:
        raise UsageError(f"{name}: larger than {_size(limit)}")
    try:
        with open(file, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise UsageError(f"{name}: larger than {_size(limit)}")
    return data


def _size(n: int) -> str:
    return f"{n // 1_000_000} MB" if n >= 1_000_000 else f"{n // 1000} kB"


def check_output(path: str | os.PathLike, option: str = "-o", inputs=(), inside: str | os.PathLike | None = None,
                 shown: str | os.PathLike | None = None) -> Path:
    """A path the user named for writing: a regular file or a new name in a writable directory.

    Refused (UsageError, exit 2): a directory, device, FIFO or socket (the atomic rename would put a
    regular file in its place; as root, -o /dev/null would replace the real one), a read-only file,
    one of the inputs (`inputs`), anything inside the folder `inside` (the user's templates), a name
    longer than the file system allows. A symbolic link is followed: its target is what gets written.
    """
    out = Path(path)
    label = f"{option} {_shown(shown or out)}"
    if isinstance(path, str) and path.endswith(("/", os.sep)):
        raise UsageError(f"{label}/: a directory name (it ends with /); give a file name")
    fd = descriptor(out)
    if fd is not None:  # written through the descriptor (see descriptor()), never renamed over
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            raise UsageError(f"{label}: descriptor {fd} is not open for writing")
        for given in inputs:
            try:
                mine, other = os.fstat(fd), os.stat(given)
            except OSError:
                continue
            if (mine.st_dev, mine.st_ino) == (other.st_dev, other.st_ino):
                raise UsageError(f"{label}: that is the input file; write to another name")
        return out
    if any(len(part.encode("utf-8", "surrogateescape")) > NAME_MAX for part in out.parts):
        raise UsageError(f"{label}: a file name longer than {NAME_MAX} bytes")
    if len(os.fsencode(out)) > 4000:
        raise UsageError(f"{label}: the path is too long")
    try:
        real = Path(os.path.realpath(out))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{label}: {getattr(exc, 'strerror', None) or exc}") from None
    parent = real.parent
    st: os.stat_result | None
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise UsageError(f"{label}: {exc.strerror or exc}") from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            hint = (" (use -o - for standard output)" if option == "-o" and (stat.S_ISCHR(st.st_mode)
                                                                        or stat.S_ISFIFO(st.st_mode)) else "")
            raise UsageError(f"{label}: {kind_of(st.st_mode)}, not a regular file{hint}")
        if not st.st_mode & 0o222 or not os.access(real, os.W_OK):  # mode bits too: root passes access()
            raise UsageError(f"{label}: the file is read-only")
        for given in inputs:
            try:
                same = os.path.samefile(real, given)
            except OSError:
                same = False
            if same:
                raise UsageError(f"{label}: that is the input file; write to another name")
    if not parent.is_dir():
        raise UsageError(f"{label}: the directory {_shown(out.parent)} does not exist")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"{label}: the directory {_shown(out.parent)} is not writable")
    if inside is not None:
        folder = Path(os.path.realpath(inside))
        if real == folder or folder in real.parents:
            raise UsageError(f"{label}: inside the --templates folder; write somewhere else")
    return real


def write_atomic(path: str | os.PathLike, data: str | bytes) -> None:
    """Never leaves a half-written file: a reader sees the old file or the new one. A path naming
    one of this process's descriptors (/dev/stdout) is written through it."""
    target = Path(path)
    fd = descriptor(target)
    if fd is not None:
        write_descriptor(fd, data, _shown(target))
        return
    try:
        # the prefix is cut so that the temporary name stays within NAME_MAX however long the target's
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:100]}.", dir=str(target.parent or Path(".")))
    except OSError as exc:
        raise RenderError(f"cannot write {_shown(target)}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a user's file gets the usual mode
        os.replace(tmp, target)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise RenderError(f"cannot write {_shown(target)}: {exc.strerror or exc}") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
