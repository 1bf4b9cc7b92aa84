#!/usr/bin/env python3
"""Gateway benchmark (not a unit test): pass-through overhead and the city overview under load.

1. Pass-through: h2load calls GetEcho (a read addressed to districts/lingshui) on a Parks backend directly ("direct"),
   then the same call through the real gateway ("gateway": API-key authentication, admission, resource routing,
   signed identity, raw pass-through). Same concurrency, same box; runs interleaved, a fresh process per run; the
   median of the runs is reported. Servers are pinned to CPU 1 and h2load to CPU 0 (--unpinned to let the kernel
   place them), so in the gateway runs the gateway and the backend share one core: the same hardware for both paths.
   Saturation (c x m) gives throughput and latency under load; the floor (1 x 1) gives the added latency per call.
2. Overview: GetCityOverview through the gateway at a fixed rate (h2load --rps per client), latency percentiles.

h2load does not read grpc-status, so each phase has a census: calls made with a real gRPC client that count the
statuses (and check the echoed message), before the numbers are believed.

Usage: tools/benchmarks/gateway/run.py [--runs 3] [--warmup 60] [--duration 20] [--conns 4] [--streams 32]
                                       [--overview-rate 200] [--overview-duration 30] [--unpinned]
"""
import argparse, json, os, shutil, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import cpu_seconds, free_port, h2load, percentiles, wait_port

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
HERE = os.path.dirname(os.path.abspath(__file__))
ECHO = '/parks.benchgw.v1.UnitEchoService/GetEcho'
OVERVIEW = '/parks.gateway.v1.CityOverviewService/GetCityOverview'
KEY = 'benchmark-only-caller-key-0123456789abcdef'
DASHBOARD_KEY = KEY.replace('caller', 'dashbd')











class Process:
    def __init__(self, dll, mode, pinned, *extra):
        self.grpc, self.http = free_port(), free_port()
        cmd = (['taskset', '-c', '1'] if pinned else []) + ['dotnet', dll, mode, str(self.grpc), str(self.http), *extra]
        self.proc = subprocess.Popen(cmd, env=dict(os.environ, DOTNET_TieredPGO='1'), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.grpc)
        wait_port(self.http)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()








def census(dll, port, key=None, calls=2000, concurrency=16):
    cmd = ['dotnet', dll, 'census', f'http://127.0.0.1:{port}', str(calls), str(concurrency)] + ([key] if key else [])
    out = subprocess.run(cmd, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def pass_through_run(kind, dll, req, args, workdir, index):
    pinned = not args.unpinned
    backend = Process(dll, 'backend', pinned)
    gateway = Process(dll, 'gateway', pinned, f'http://127.0.0.1:{backend.grpc}') if kind == 'gateway' else None
    target = gateway or backend
    headers = [f'authorization: Bearer {KEY}'] if gateway else []
    procs = [p for p in (backend, gateway) if p]
    try:
        h2load(target.grpc, ECHO, req, args.conns, args.streams, args.warmup, pinned, headers=headers)  # tiered JIT settles
        # Throughput and CPU without h2load's per-request log (writing it slows the client and changes the pacing),
        # then latency at the same concurrency with every request logged.
        c0, t0 = sum(cpu_seconds(p.proc.pid) for p in procs), time.time()
        rate, counts = h2load(target.grpc, ECHO, req, args.conns, args.streams, args.duration, pinned, headers=headers)
        c1, t1 = sum(cpu_seconds(p.proc.pid) for p in procs), time.time()
        result = {'path': kind, 'run': index, 'rps': rate, 'h2load': counts, 'server_cores': (c1 - c0) / (t1 - t0)}
        log = os.path.join(workdir, f'{kind}-{index}-sat.log')
        result['sat_logged_rps'], result['sat_logged_h2load'] = h2load(target.grpc, ECHO, req, args.conns, args.streams, args.duration, pinned, log, headers)
        result.update({'sat_' + k: v for k, v in percentiles(log).items()})
        floor_log = os.path.join(workdir, f'{kind}-{index}-floor.log')
        floor_rps, _ = h2load(target.grpc, ECHO, req, 1, 1, max(5, args.duration // 2), pinned, floor_log, headers)
        result['floor_rps'] = floor_rps
        result.update({'floor_' + k: v for k, v in percentiles(floor_log).items()})
        result['census'] = census(dll, target.grpc, KEY if gateway else None)
        return result
    finally:
        for p in reversed(procs):
            p.stop()


def overview_run(dll, req, args, workdir):
    pinned = not args.unpinned
    backend = Process(dll, 'backend', pinned)
    gateway = Process(dll, 'gateway', pinned, f'http://127.0.0.1:{backend.grpc}')
    try:
        before = json.loads(subprocess.run(['dotnet', dll, 'overview', f'http://127.0.0.1:{gateway.grpc}', DASHBOARD_KEY], capture_output=True, text=True, check=True).stdout)
        headers = [f'authorization: Bearer {DASHBOARD_KEY}']
        conns = 4
        h2load(gateway.grpc, OVERVIEW, req, conns, 1, 5, pinned, headers=headers, rps=args.overview_rate // conns)
        log = os.path.join(workdir, 'overview.log')
        rate, counts = h2load(gateway.grpc, OVERVIEW, req, conns, 1, args.overview_duration, pinned, log, headers, rps=args.overview_rate // conns)
        result = {'rps': rate, 'h2load': counts, 'units': before['units']}
        result.update(percentiles(log))
        return result
    finally:
        gateway.stop()
        backend.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--runs', type=int, default=3)
    p.add_argument('--warmup', type=int, default=60)
    p.add_argument('--duration', type=int, default=20)
    p.add_argument('--conns', type=int, default=4)
    p.add_argument('--streams', type=int, default=32)
    p.add_argument('--overview-rate', type=int, default=200)
    p.add_argument('--overview-duration', type=int, default=30)
    p.add_argument('--unpinned', action='store_true')
    args = p.parse_args()
    for tool in ('h2load', 'taskset', 'dotnet'):
        if not shutil.which(tool):
            sys.exit(f'{tool} is required (h2load: apt-get install nghttp2-client)')

    subprocess.run(['dotnet', 'build', os.path.join(HERE, 'Parks.Benchmarks.Gateway.csproj'), '-c', 'Release', '-v', 'q', '-nologo'], check=True)
    dll = os.path.join(HERE, 'bin', 'Release', 'net10.0', 'Parks.Benchmarks.Gateway.dll')
    workdir = os.path.join(ROOT, 'tools', 'benchmarks', 'results', 'gateway-' + time.strftime('%Y%m%d-%H%M%S'))
    os.makedirs(workdir, exist_ok=True)
    echo_req, overview_req = os.path.join(workdir, 'echo.grpc'), os.path.join(workdir, 'overview.grpc')
    subprocess.run(['dotnet', dll, 'request', echo_req], check=True)
    subprocess.run(['dotnet', dll, 'request', overview_req, 'overview'], check=True)

    results = []
    for index in range(args.runs):
        for kind in ('direct', 'gateway'):
            r = pass_through_run(kind, dll, echo_req, args, workdir, index)
            print(json.dumps(r), flush=True)
            results.append(r)
    overview = overview_run(dll, overview_req, args, workdir)
    print(json.dumps({'overview': overview}), flush=True)

    med = lambda kind, key: statistics.median(r[key] for r in results if r['path'] == kind)
    keys = ('rps', 'server_cores', 'sat_p50_ms', 'sat_p99_ms', 'floor_rps', 'floor_p50_ms', 'floor_p99_ms')
    m = {kind: {key: med(kind, key) for key in keys} for kind in ('direct', 'gateway')}
    summary = {
        'machine': f'{os.cpu_count()} cpus, {os.uname().release}',
        'date': time.strftime('%Y-%m-%d %H:%M'),
        'args': vars(args),
        'median': m,
        'pass_through': {
            'added_p50_ms_floor': m['gateway']['floor_p50_ms'] - m['direct']['floor_p50_ms'],
            'added_p50_ms_saturated': m['gateway']['sat_p50_ms'] - m['direct']['sat_p50_ms'],
            'throughput_gateway_over_direct': m['gateway']['rps'] / m['direct']['rps'],
        },
        'overview': {k: overview[k] for k in ('rps', 'p50_ms', 'p90_ms', 'p99_ms', 'p999_ms', 'n')},
        'non_ok': {
            'census': sum(v for r in results for k, v in r['census'].items() if k != 'OK'),
            'h2load_failed_or_errored': sum(r['h2load']['failed'] + r['h2load']['errored'] for r in results) + overview['h2load']['failed'] + overview['h2load']['errored'],
        },
    }
    with open(os.path.join(workdir, 'summary.json'), 'w') as f:
        json.dump({'summary': summary, 'runs': results, 'overview': overview}, f, indent=2)
    print(json.dumps(summary, indent=2))
    print(f'results: {workdir}')


if __name__ == '__main__':
    main()
