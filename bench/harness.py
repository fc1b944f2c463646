"""The benchmark's harness: the app's environment, the servers (gunicorn, Datasette), and timing
requests and downloads against them. Shared by bench/run.py and bench/load.py."""

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BENCH_DATA") or ROOT / "bench" / "data")
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DATASETTE = ROOT / "bench" / ".venv" / "bin" / "datasette"
# One key for the whole run: the admin session made by `manage.py shell` must be valid under gunicorn.
SECRET_KEY = secrets.token_urlsafe(50)


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


def loadavg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(database_url, **extra):
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        GUNICORN_ACCESS_LOG="",
        LOG_LEVEL="WARNING",
        # The bench is one client asking many times: lift the per-client budget of expensive requests.
        EXPENSIVE_REQUESTS_PER_MINUTE="100000",
        EXPENSIVE_REQUESTS_BURST="100000",
        **extra,
    )
    return env


def manage(database_url, *args, capture=False):
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=app_env(database_url),
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else None


# Servers ---------------------------------------------------------------------------------------


class Server:
    def __init__(self, name, command, env, port, ready_path):
        self.name, self.port = name, port
        self.logfile = open(DATA / f"{name}.log", "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.logfile, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.logfile.name}")
            try:
                status, _, _ = request(port, ready_path, timeout=60)
                if status < 500:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{name} did not start; see {self.logfile.name}")

    def pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [self.process.pid] + [int(p) for p in children.read_text().split()]
        except OSError:
            return [self.process.pid]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.logfile.close()


def gunicorn(name, database_url):
    port = free_port()
    env = app_env(database_url, GUNICORN_BIND=f"127.0.0.1:{port}")
    return Server(name, [str(GUNICORN), "-c", "gunicorn.conf.py"], env, port, "/data-dictionary/")


def datasette(path):
    port = free_port()
    command = [
        str(DATASETTE),
        "serve",
        str(path),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--setting",
        "suggest_facets",
        "off",
    ]
    return Server("datasette", command, dict(os.environ), port, "/")


def cpu_seconds(pids):
    """User + system CPU time of these processes so far (from /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def proc_kb(pid, field):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


# Measuring -------------------------------------------------------------------------------------

HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "identity"}


def request(port, path, *, cookie=None, timeout=120, connection=None):
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = dict(HEADERS, **({"Cookie": cookie} if cookie else {}))
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    if connection is None:
        conn.close()
    return response.status, body, response


def median_ms(port, path, *, repeat, cookie=None, server=None):
    """Median wall time of `repeat` GETs over one keep-alive connection, after two warm-ups."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    status, body, _ = request(port, path, cookie=cookie, connection=conn)
    first_ms = (time.perf_counter() - started) * 1000
    if status != 200:
        conn.close()
        return {"status": status, "path": path}
    request(port, path, cookie=cookie, connection=conn)
    times, load = [], loadavg()
    cpu_before = cpu_seconds(server.pids()) if server else 0
    for _ in range(repeat):
        started = time.perf_counter()
        status, body, _ = request(port, path, cookie=cookie, connection=conn)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, (path, status)
    conn.close()
    cpu_ms = (cpu_seconds(server.pids()) - cpu_before) * 1000 / repeat if server else None
    return {
        "status": 200,
        "path": path,
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "first_ms": first_ms,
        "cpu_ms": cpu_ms,
        "bytes": len(body),
        "load": load,
    }


def stream_rows(port, path, server=None):
    """Reads a CSV download to the end; returns rows (lines less the header), seconds and peak RSS."""
    peak = {"rss_kb": 0}
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            for pid in server.pids():
                peak["rss_kb"] = max(peak["rss_kb"], proc_kb(pid, "VmRSS"))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True) if server else None
    if watcher:
        watcher.start()
    load = loadavg()
    cpu_before = cpu_seconds(server.pids()) if server else 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
    started = time.perf_counter()
    conn.request("GET", path, headers=HEADERS)
    response = conn.getresponse()
    # Rows end in CRLF (csv.writer's terminator); a line break inside a quoted cell is a bare LF.
    lines = size = 0
    tail = b""
    while chunk := response.read1(1 << 20):
        lines += (tail + chunk[:1]).count(b"\r\n") + chunk.count(b"\r\n")
        tail = chunk[-1:]
        size += len(chunk)
    seconds = time.perf_counter() - started
    conn.close()
    stop.set()
    result = {
        "status": response.status,
        "path": path,
        "rows": max(0, lines - 1),
        "seconds": seconds,
        "bytes": size,
        "load": load,
        "content_type": response.getheader("Content-Type"),
    }
    result["rows_per_s"] = result["rows"] / seconds if seconds else 0
    if server:
        watcher.join()
        workers = server.pids()[1:] or server.pids()
        result["peak_rss_mb"] = max(proc_kb(pid, "VmHWM") for pid in workers) / 1024
        result["sampled_rss_mb"] = peak["rss_kb"] / 1024
        result["server_cpu_s"] = cpu_seconds(server.pids()) - cpu_before
        result["rows_per_cpu_s"] = result["rows"] / result["server_cpu_s"] if result["server_cpu_s"] else 0
    return result


def shell_dump(command, rows):
    """Times a shell client dumping the export query to a pipe (the bench reads and drops it)."""
    load = loadavg()
    started = time.perf_counter()
    size = 0
    children_before = os.times().children_user + os.times().children_system
    with subprocess.Popen(command, stdout=subprocess.PIPE) as process:
        while chunk := process.stdout.read1(1 << 20):
            size += len(chunk)
    seconds = time.perf_counter() - started
    cpu = os.times().children_user + os.times().children_system - children_before
    assert process.returncode == 0 and size > rows * 50, (command[:3], process.returncode, size)
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "load": load,
        "bytes": size,
        "cpu_s": cpu,
        "rows_per_cpu_s": rows / cpu if cpu else 0,
        "command": " ".join(command[:-1]) + " '<export query>'",
    }
