"""What the benchmark scripts under tools/benchmarks share: ports, process CPU, h2load runs and their latencies."""
import os, platform, re, socket, subprocess, time


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_port(port, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f'port {port} did not open')


def cpu_seconds(pid):
    """User + system CPU time of a process so far (from /proc)."""
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            return next(l.split(':', 1)[1].strip() for l in f if l.startswith('model name'))
    except (OSError, StopIteration):
        return platform.machine()


def h2load(port, path, req, conns, streams, duration, pinned=True, log=None, headers=(), rps=None):
    """Unary gRPC calls with h2load (on core 0 when pinned): (requests/s, counts of done/succeeded/failed/errored)."""
    cmd = (['taskset', '-c', '0'] if pinned else []) + ['h2load', '-c', str(conns), '-m', str(streams), '-t', '1', '-D', str(duration),
                                                        '-H', 'content-type: application/grpc', '-H', 'te: trailers', '-d', req]
    for header in headers:
        cmd += ['-H', header]
    if rps:
        cmd += ['--rps', str(rps)]
    if log:
        if os.path.exists(log):
            os.remove(log)
        cmd += ['--log-file', log]
    cmd.append(f'http://127.0.0.1:{port}{path}')
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r'finished in [0-9.]+s, ([0-9.]+) req/s', out).group(1))
    done = re.search(r'requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored', out)
    return rate, {'done': int(done.group(2)), 'succeeded': int(done.group(3)), 'failed': int(done.group(4)), 'errored': int(done.group(5))}


def percentiles(log):
    """Latency percentiles (ms) of the HTTP 200 responses in an h2load --log-file."""
    values = sorted(int(p[2]) for p in (line.split() for line in open(log)) if len(p) >= 3 and p[1] == '200')
    pick = lambda q: values[min(len(values) - 1, int(len(values) * q))] / 1000.0
    return {'p50_ms': pick(0.5), 'p90_ms': pick(0.9), 'p99_ms': pick(0.99), 'p999_ms': pick(0.999), 'n': len(values)}
