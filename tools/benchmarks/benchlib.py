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
    """Unary gRPC calls with h2load (on core 0 when pinned, or on the CPUs pinned names): (requests/s, counts of
    done/succeeded/failed/errored and the DATA bytes received)."""
    cpus = pinned if isinstance(pinned, str) else '0'
    cmd = (['taskset', '-c', cpus] if pinned else []) + ['h2load', '-c', str(conns), '-m', str(streams), '-t', '1', '-D', str(duration),
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
    data = re.search(r'traffic: .*?(\d+)\) data', out)
    return rate, {'done': int(done.group(2)), 'succeeded': int(done.group(3)), 'failed': int(done.group(4)), 'errored': int(done.group(5)),
                  'data_bytes': int(data.group(1)) if data else None}


def percentiles(log):
    """Latency percentiles (ms) of the HTTP 200 responses in an h2load --log-file."""
    values = sorted(int(p[2]) for p in (line.split() for line in open(log)) if len(p) >= 3 and p[1] == '200')
    pick = lambda q: values[min(len(values) - 1, int(len(values) * q))] / 1000.0
    return {'p50_ms': pick(0.5), 'p90_ms': pick(0.9), 'p99_ms': pick(0.99), 'p999_ms': pick(0.999), 'n': len(values)}


def _children(pid):
    """Every descendant process id of pid (from /proc)."""
    parents = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as f:
                    parents.setdefault(int(f.read().rsplit(')', 1)[1].split()[1]), []).append(int(entry))
            except OSError:
                pass
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class LocalZone:
    """The local run (tools/Parks.AppHost, Release build) with Redis state, for a benchmark: every service and the
    gateway in its own process. `cpus` pins the whole zone (taskset, inherited by every child); `env` adds settings
    (Parks__... variables) the zone's processes inherit. The caller builds the AppHost first."""

    def __init__(self, root, workdir, env=None, cpus=None, timeout=600):
        import json, tempfile
        self.grpc_port, self.http_port = free_port(), free_port()
        run_file = os.path.join(tempfile.mkdtemp(prefix='parks-bench-zone-'), 'run.json')
        project = os.path.join(root, 'tools', 'Parks.AppHost')
        cmd = (['taskset', '-c', cpus] if cpus else []) + [
            'dotnet', 'run', '--no-build', '-c', 'Release', '--project', project, '--', '--redis', '--run-file', run_file,
            '--port-base', str(20000 + (self.grpc_port % 20000)), '--gateway-grpc-port', str(self.grpc_port),
            '--gateway-http-port', str(self.http_port)]
        self.log = open(os.path.join(workdir, 'apphost.log'), 'w')
        started = time.time()
        self.proc = subprocess.Popen(cmd, env=dict(os.environ, **(env or {})), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while not os.path.exists(run_file):
                if self.proc.poll() is not None:
                    raise RuntimeError(f'the local run ended with {self.proc.returncode}; see {self.log.name}')
                if time.time() - started > timeout:
                    raise RuntimeError(f'the local run was not ready within {timeout} s; see {self.log.name}')
                time.sleep(1)
            self.ready_after = time.time() - started
            time.sleep(0.5)
            with open(run_file) as f:
                self.run = json.load(f)
        except BaseException:
            self.stop()
            raise

    def address(self, app_id):
        """(gRPC port, HTTP port) of a service of the zone."""
        service = next(s for s in self.run['services'] if s['appId'] == app_id)
        return int(service['grpcAddress'].rsplit(':', 1)[1]), int(service['httpAddress'].rsplit(':', 1)[1])

    def pid(self, app_id):
        """The process id of a service of the zone (found by its Parks__Service__AppId)."""
        wanted = f'Parks__Service__AppId={app_id}'.encode()
        for pid in _children(self.proc.pid):
            try:
                with open(f'/proc/{pid}/environ', 'rb') as f:
                    if wanted in f.read().split(b'\0'):
                        return pid
            except OSError:
                pass
        raise RuntimeError(f'no process of the zone runs {app_id}')

    def stop(self, timeout=60):
        """SIGTERM to the whole process group (the AppHost stops its services and redis-server), then waits until
        no process of the group is left; SIGKILL for what is still there after the timeout."""
        import signal
        group = self.proc.pid  # start_new_session: the leader's pid is the group id
        try:
            os.killpg(group, signal.SIGTERM)
            deadline = time.time() + timeout
            while time.time() < deadline:
                self.proc.poll()
                os.killpg(group, 0)  # ProcessLookupError once the group is empty
                time.sleep(0.2)
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self.log.close()


def pin(pid, cpus):
    """Moves a running process, every thread of it, to the given CPUs."""
    subprocess.run(['taskset', '-a', '-cp', cpus, str(pid)], check=True, stdout=subprocess.DEVNULL)


def server_calls(http_port, method):
    """grpc-status -> calls of one method, from a Parks process's Prometheus page (parks_rpc_server_calls_total)."""
    import urllib.request
    with urllib.request.urlopen(f'http://127.0.0.1:{http_port}/metrics', timeout=10) as r:
        text = r.read().decode()
    counts = {}
    for line in text.splitlines():
        if line.startswith('parks_rpc_server_calls_total{') and f'rpc_method="{method}"' in line:
            status = re.search(r'rpc_grpc_status_code="(\d+)"', line).group(1)
            counts[status] = counts.get(status, 0) + int(float(line.rsplit(' ', 1)[1]))
    return counts


def count_delta(before, after):
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


def get_json(url, key):
    """GET a JSON document with a gateway API key."""
    import json, urllib.request
    request = urllib.request.Request(url, headers={'authorization': f'Bearer {key}'})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.load(r)
