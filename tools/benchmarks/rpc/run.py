#!/usr/bin/env python3
"""RPC benchmark: the Parks stack (S) against R0 (bare Kestrel h2c echo) and R2 (@grpc/grpc-js), interleaved.

Method (shared/reference performance plan): servers pinned to CPU 1, h2load to CPU 0; a fresh server process
per run; warm-up, then a measured window; saturation (c x m) and latency floor (c1 x m1); median of the runs.
h2load does not read grpc-status, so every run has correctness twins: the server's own count of statuses
(Parks: the RPC layer's parks.rpc.server.calls metric; R0 counts its calls) and a census of calls made with a
real gRPC client that checks the status and the echoed message. Allocation per call is the server's
GC.GetTotalAllocatedBytes delta over the measured window divided by the calls in it.

Usage: tools/benchmarks/rpc/run.py [--runs 3] [--warmup 60] [--duration 20] [--conns 4] [--streams 50]
"""
import argparse, json, os, shutil, statistics, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import cpu_seconds, free_port, percentiles, wait_port
from benchlib import h2load as h2load_path

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
HERE = os.path.dirname(os.path.abspath(__file__))
PATH = '/parks.bench.v1.EchoService/Echo'











def stats(http_port):
    if http_port is None:
        return None
    with urllib.request.urlopen(f'http://127.0.0.1:{http_port}/bench/stats', timeout=5) as r:
        return json.load(r)


def h2load(port, req, conns, streams, duration, log=None):
    return h2load_path(port, PATH, req, conns, streams, duration, log=log)


class Server:
    def __init__(self, kind, dll):
        self.kind = kind
        self.grpc = free_port()
        self.http = None if kind == 'grpcjs' else free_port()
        if kind == 'grpcjs':
            env = dict(os.environ, NODE_PATH=os.path.join(ROOT, 'tests', 'node', 'node_modules'))
            cmd = ['taskset', '-c', '1', 'node', os.path.join(HERE, 'grpcjs-echo.js'), str(self.grpc), os.path.join(HERE, 'Protos')]
        else:
            env = dict(os.environ, DOTNET_TieredPGO='1')
            cmd = ['taskset', '-c', '1', 'dotnet', dll, kind, str(self.grpc), str(self.http)]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.grpc)
        if self.http:
            wait_port(self.http)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()








def census(dll, port, calls=2000, concurrency=16):
    out = subprocess.run(['taskset', '-c', '0', 'dotnet', dll, 'census', f'http://127.0.0.1:{port}', str(calls), str(concurrency)],
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def one_run(kind, dll, req, args, workdir, index):
    server = Server(kind, dll)
    try:
        h2load(server.grpc, req, args.conns, args.streams, args.warmup)  # warm-up (tiered JIT reaches its steady state), discarded
        # Throughput, CPU and allocation in a window without h2load's per-request log: writing the log slows the
        # client, which then paces requests differently (fewer per read) and becomes the bottleneck for R0.
        s0, c0, t0 = stats(server.http), cpu_seconds(server.proc.pid), time.time()
        rps, counts = h2load(server.grpc, req, args.conns, args.streams, args.duration)
        s1, c1, t1 = stats(server.http), cpu_seconds(server.proc.pid), time.time()
        result = {'server': kind, 'run': index, 'rps': rps, 'h2load': counts, 'server_cores': (c1 - c0) / (t1 - t0)}
        result['rps_per_core'] = rps / max(result['server_cores'], 1e-9)
        if s0 is not None:
            calls = {k: v - s0['calls'].get(k, 0) for k, v in s1['calls'].items()}
            total = sum(calls.values())
            result['server_status_counts'] = calls
            result['alloc_bytes_per_call'] = (s1['allocatedBytes'] - s0['allocatedBytes']) / max(total, 1)
        # Latency at the same concurrency, every request logged.
        log = os.path.join(workdir, f'{kind}-{index}-sat.log')
        result['sat_logged_rps'], result['sat_logged_h2load'] = h2load(server.grpc, req, args.conns, args.streams, args.duration, log)
        result.update({'sat_' + k: v for k, v in percentiles(log).items()})
        floor_log = os.path.join(workdir, f'{kind}-{index}-floor.log')
        floor_rps, _ = h2load(server.grpc, req, 1, 1, max(5, args.duration // 2), floor_log)
        result['floor_rps'] = floor_rps
        result.update({'floor_' + k: v for k, v in percentiles(floor_log).items()})
        result['census'] = census(dll, server.grpc)
        return result
    finally:
        server.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--runs', type=int, default=3)
    p.add_argument('--warmup', type=int, default=60)
    p.add_argument('--duration', type=int, default=20)
    p.add_argument('--conns', type=int, default=4)
    p.add_argument('--streams', type=int, default=50)
    p.add_argument('--alloc-only', action='store_true', help='only measure server bytes allocated per call (load-independent)')
    args = p.parse_args()
    for tool in ('h2load', 'taskset', 'node', 'dotnet'):
        if not shutil.which(tool):
            sys.exit(f'{tool} is required (h2load: apt-get install nghttp2-client)')

    subprocess.run(['dotnet', 'build', os.path.join(HERE, 'Parks.Benchmarks.Rpc.csproj'), '-c', 'Release', '-v', 'q', '-nologo'], check=True)
    dll = os.path.join(HERE, 'bin', 'Release', 'net10.0', 'Parks.Benchmarks.Rpc.dll')
    workdir = os.path.join(ROOT, 'tools', 'benchmarks', 'results', 'rpc-' + time.strftime('%Y%m%d-%H%M%S'))
    os.makedirs(workdir, exist_ok=True)
    req = os.path.join(workdir, 'req.grpc')
    subprocess.run(['dotnet', dll, 'request', req], check=True)

    if args.alloc_only:
        for kind in ('raw', 'parks'):
            server = Server(kind, dll)
            try:
                subprocess.run(['h2load', '-n', '20000', '-c', '4', '-m', '50', '-H', 'content-type: application/grpc', '-H', 'te: trailers', '-d', req, f'http://127.0.0.1:{server.grpc}{PATH}'], capture_output=True, check=True)
                s0 = stats(server.http)
                subprocess.run(['h2load', '-n', '100000', '-c', '4', '-m', '50', '-H', 'content-type: application/grpc', '-H', 'te: trailers', '-d', req, f'http://127.0.0.1:{server.grpc}{PATH}'], capture_output=True, check=True)
                s1 = stats(server.http)
                calls = sum(s1['calls'].values()) - sum(s0['calls'].values())
                print(json.dumps({'server': kind, 'calls': calls, 'alloc_bytes_per_call': (s1['allocatedBytes'] - s0['allocatedBytes']) / calls}))
            finally:
                server.stop()
        return

    results = []
    for index in range(args.runs):
        for kind in ('raw', 'parks', 'grpcjs'):  # interleaved: R0, S, R2, R0, S, R2, ...
            r = one_run(kind, dll, req, args, workdir, index)
            print(json.dumps(r), flush=True)
            results.append(r)

    med = lambda kind, key: statistics.median(r[key] for r in results if r['server'] == kind and key in r)
    summary = {
        'machine': f'{os.cpu_count()} cpus, {os.uname().release}',
        'date': time.strftime('%Y-%m-%d %H:%M'),
        'args': vars(args),
        'median': {kind: {key: med(kind, key) for key in ('rps', 'rps_per_core', 'server_cores', 'sat_logged_rps', 'sat_p50_ms', 'sat_p99_ms', 'floor_rps', 'floor_p50_ms', 'floor_p99_ms')}
                   for kind in ('raw', 'parks', 'grpcjs')},
    }
    summary['median']['parks']['alloc_bytes_per_call'] = med('parks', 'alloc_bytes_per_call')
    summary['median']['raw']['alloc_bytes_per_call'] = med('raw', 'alloc_bytes_per_call')
    m = summary['median']
    summary['ratios'] = {
        'throughput_parks_over_R0': m['parks']['rps'] / m['raw']['rps'],
        'throughput_parks_over_grpcjs': m['parks']['rps'] / m['grpcjs']['rps'],
        'rps_per_core_parks_over_R0': m['parks']['rps_per_core'] / m['raw']['rps_per_core'],
        'rps_per_core_parks_over_grpcjs': m['parks']['rps_per_core'] / m['grpcjs']['rps_per_core'],
        'sat_p99_parks_over_R0': m['parks']['sat_p99_ms'] / m['raw']['sat_p99_ms'],
        'floor_p99_parks_over_R0': m['parks']['floor_p99_ms'] / m['raw']['floor_p99_ms'],
    }
    summary['non_ok'] = {
        # h2load stops with calls in flight; the server sees those as cancelled (at most conns x streams per run).
        'server_counted_cancelled_at_stop': sum(v for r in results if 'server_status_counts' in r for k, v in r['server_status_counts'].items() if k == '1'),
        'server_counted': sum(v for r in results if 'server_status_counts' in r for k, v in r['server_status_counts'].items() if k not in ('0', '1')),
        'census': sum(v for r in results for k, v in r['census'].items() if k != 'OK'),
        'h2load_failed_or_errored': sum(r[w]['failed'] + r[w]['errored'] for r in results for w in ('h2load', 'sat_logged_h2load')),
    }
    with open(os.path.join(workdir, 'summary.json'), 'w') as f:
        json.dump({'summary': summary, 'runs': results}, f, indent=2)
    print(json.dumps(summary, indent=2))
    print(f'results: {workdir}')


if __name__ == '__main__':
    main()
