"""Issue 22's cases that a table row cannot express: redirected and closed streams, signals during a
TeX run, concurrent writers of one .tex/.pdf pair, a template child whose parent is killed."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT, require_tool

SCE = "softmax-cross-entropy"


def derive_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "derive", *args]


def env_for(tmp: Path, **extra: str) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp), **extra}


def shell(cmd: str, cwd: Path) -> subprocess.CompletedProcess:
    """A command line as a user types it (redirections included), derive run from this checkout."""
    return subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env_for(cwd, DERIVE=f"{sys.executable} -m derive"),
                          capture_output=True, text=True, timeout=120)


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("derive: error: "), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    return lines[0]


@pytest.mark.parametrize("target", ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"])
def test_output_through_a_descriptor_appends_to_the_redirected_file(tmp_path, target):
    (tmp_path / "log.txt").write_text("earlier content\n")
    r = shell(f"$DERIVE render {SCE} -K 2 -f text -o {target} >> log.txt", tmp_path)
    assert r.returncode == 0, r.stderr
    log = (tmp_path / "log.txt").read_text()
    assert log.startswith("earlier content\n") and "softmax cross-entropy" in log
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.txt"]   # no temporary left beside it


def test_annotate_through_stdout_and_into_a_pipe(tmp_path):
    (tmp_path / "in.md").write_text("$$ a_i = a_i $$\n")
    r = shell("$DERIVE check in.md --annotate /dev/stdout | cat > seen.txt", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "[derive: ok]" in (tmp_path / "seen.txt").read_text()
    assert (tmp_path / "in.md").read_text() == "$$ a_i = a_i $$\n"


@pytest.mark.parametrize("args", [("render", SCE, "-K", "3", "-o", "-"), ("list",), ("check", "in.md")])
def test_a_full_disk_on_stdout_is_an_error(tmp_path, args):
    (tmp_path / "in.md").write_text("$$ a_i = a_i $$\n")
    r = shell("$DERIVE " + " ".join(args) + " > /dev/full", tmp_path)
    assert r.returncode == 2
    assert "No space left on device" in one_error_line(r.stderr)


def test_closed_stdout_and_closed_stdin(tmp_path):
    r = shell(f"$DERIVE render {SCE} -K 3 -o - >&-", tmp_path)
    assert r.returncode == 2 and "standard output" in one_error_line(r.stderr)
    r = shell("$DERIVE check - <&-", tmp_path)
    assert r.returncode == 2 and "standard input is closed" in one_error_line(r.stderr)


def _ours(tmp: Path) -> list[str]:
    """Processes whose working directory is inside tmp (TeX runs in a scratch folder under TMPDIR)."""
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if os.readlink(p / "cwd").startswith(str(tmp)):
                    out.append(p.name)
            except OSError:
                continue
    return out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGKILL])
def test_a_signal_during_pdf_leaves_nothing_behind(tmp_path, sig):
    require_tool("latexmk")
    require_tool("pdflatex")
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir(), tmp.mkdir()
    (work / "s.tex").write_text("old")
    proc = subprocess.Popen(derive_cmd("render", SCE, "-K", "64", "-o", "s.tex", "--pdf"), cwd=work,
                            env=env_for(tmp), stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    end = time.monotonic() + 60
    while not _ours(tmp) and time.monotonic() < end and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "derive finished before TeX started"
    time.sleep(0.3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    end = time.monotonic() + 5
    while _ours(tmp) and time.monotonic() < end:
        time.sleep(0.1)
    assert not _ours(tmp), "TeX processes left running"
    assert list(tmp.iterdir()) == [], "a scratch folder left behind"
    assert (work / "s.tex").read_text() == "old" and not (work / "s.pdf").exists()
    assert sorted(p.name for p in work.iterdir()) == ["s.tex"], "a temporary file left beside the target"
    if sig is not signal.SIGKILL:
        assert proc.returncode == 128 + sig and "Traceback" not in err
        assert re.fullmatch(r"derive: (stopped by SIG(TERM|HUP)|interrupted)\n", err), err


def test_concurrent_pdf_writers_leave_a_pair_from_one_run(tmp_path):
    require_tool("latexmk")
    require_tool("pdftotext")
    sizes = range(2, 8)

    def write(k: int) -> int:
        return subprocess.run(derive_cmd("render", SCE, "-K", str(k), "-o", "pair.tex", "--pdf"), cwd=tmp_path,
                              env=env_for(tmp_path), capture_output=True, timeout=300).returncode

    with ThreadPoolExecutor(len(sizes)) as pool:
        assert set(pool.map(write, sizes)) == {0}
    tex = (tmp_path / "pair.tex").read_text()
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "pair.pdf"), "-"], capture_output=True, text=True).stdout
    in_tex = re.findall(r"There are \$?(\d+)\$? classes", tex)
    in_pdf = re.findall(r"There are (\d+) classes", pdf_text)
    assert in_tex and in_tex == in_pdf, (in_tex, in_pdf)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pair.pdf", "pair.tex"]


def test_the_template_child_dies_with_its_parent(tmp_path):
    folder = tmp_path / "house" / "markdown"
    folder.mkdir(parents=True)
    (folder / "document.md.j2").write_text("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}")
    proc = subprocess.Popen(derive_cmd("render", SCE, "-K", "3", "-f", "markdown", "--templates", "house", "-o", "t.md"),
                            cwd=tmp_path, env=env_for(tmp_path), stderr=subprocess.DEVNULL)

    def children() -> list[int]:
        out = []
        for p in Path("/proc").iterdir():
            if p.name.isdigit():
                try:
                    fields = (p / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == proc.pid and fields[0] != "Z":
                    out.append(int(p.name))
        return out

    end = time.monotonic() + 30
    while not children() and time.monotonic() < end:
        time.sleep(0.05)
    forked = children()
    assert forked, "the template renderer never started"
    proc.kill()
    proc.wait()
    end = time.monotonic() + 5
    alive = forked
    while alive and time.monotonic() < end:
        alive = [pid for pid in forked if Path(f"/proc/{pid}").exists()
                 and (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z")]
        time.sleep(0.05)
    assert not alive, "the template renderer outlived its parent"
    assert not (tmp_path / "t.md").exists()
