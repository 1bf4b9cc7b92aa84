#!/usr/bin/env python3
"""Gateway benchmark (not a unit test): pass-through overhead and the city overview under load.

1. Pass-through, echo: h2load calls GetEcho (a read addressed to districts/lingshui) on a backend that only echoes
   ("direct"), then the same call through the real gateway ("gateway": API-key authentication, admission, resource
   routing, signed identity, raw pass-through). A fresh process per run, runs interleaved, the median reported.
   Saturation (c x m) gives throughput and latency under load; the floor (1 x 1) gives the added latency per call.
2. Pass-through, service: the same comparison against a real service: the local run (tools/Parks.AppHost, Release,
   Redis state, demo data) is started once; h2load calls EnterpriseService.GetEnterprise for one of lingshui's
   enterprises on the lingshui District process directly (with the signed caller identity the gateway would send)
   and through the zone's gateway with lingshui's API key, interleaved. Statuses come from the processes' own
   parks_rpc_server_calls_total.
3. Overview: GetCityOverview through the gateway (echo backend) at a fixed rate (h2load --rps), latency percentiles.

Layouts (--layout; both pin h2load to CPU 0):
  shared     backend and gateway share CPU 1: the gateway's work is taken from the backend's core, so the
             throughput ratio cannot exceed backend / (backend + gateway) CPU per call.
  dedicated  backend (and redis-server) on CPU 0 beside h2load, the gateway alone on CPU 1: the gateway has its own
             core, as it has its own pods in Kubernetes; the direct runs leave CPU 1 idle.

h2load does not read grpc-status, so every phase is checked: echo by a census with a real gRPC client (statuses and
echoed message), service by the server-side status counters and the response bytes h2load received.

Usage: tools/benchmarks/gateway/run.py [--phases echo,service,overview] [--layout shared|dedicated] [--runs 3]
                                       [--warmup 60] [--duration 20] [--conns 4] [--streams 32]
                                       [--overview-rate 200] [--overview-duration 30]
"""
import argparse, hashlib, hmac, json, os, shutil, statistics, struct, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import LocalZone, count_delta, cpu_seconds, free_port, get_json, h2load, percentiles, pin, server_calls, wait_port

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
HERE = os.path.dirname(os.path.abspath(__file__))
ECHO = '/parks.benchgw.v1.UnitEchoService/GetEcho'
OVERVIEW = '/parks.gateway.v1.CityOverviewService/GetCityOverview'
GET_ENTERPRISE = '/parks.units.v1.EnterpriseService/GetEnterprise'
KEY = 'benchmark-only-caller-key-0123456789abcdef'
DASHBOARD_KEY = KEY.replace('caller', 'dashbd')











# The CPU of each part in each layout: h2load, backend, gateway.
LAYOUTS = {'shared': ('0', '1', '1'), 'dedicated': ('0', '0', '1')}


# The gateway's runtime environment as its image sets it (the local run sets the same).
with open(os.path.join(ROOT, 'gateway', 'Parks.Gateway', 'Dockerfile')) as f:
    GATEWAY_ENV = dict(line.split(None, 1)[1].strip().split('=', 1) for line in f if line.startswith('ENV DOTNET_SYSTEM_'))


class Process:
    def __init__(self, dll, mode, cpu, *extra):
        self.grpc, self.http = free_port(), free_port()
        cmd = ['taskset', '-c', cpu, 'dotnet', dll, mode, str(self.grpc), str(self.http), *extra]
        env = dict(os.environ, DOTNET_TieredPGO='1', **(GATEWAY_ENV if mode == 'gateway' else {}))
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    pinned, backend_cpu, gateway_cpu = LAYOUTS[args.layout]
    backend = Process(dll, 'backend', backend_cpu)
    gateway = Process(dll, 'gateway', gateway_cpu, f'http://127.0.0.1:{backend.grpc}') if kind == 'gateway' else None
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
    pinned, backend_cpu, gateway_cpu = LAYOUTS[args.layout]
    backend = Process(dll, 'backend', backend_cpu)
    gateway = Process(dll, 'gateway', gateway_cpu, f'http://127.0.0.1:{backend.grpc}')
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


def service_phase(args, workdir):
    """Direct and gateway calls of GetEnterprise in one local zone, interleaved; per window the rate, the CPU the
    gateway and the lingshui process spent per call and the statuses the servers counted."""
    pinned, backend_cpu, gateway_cpu = LAYOUTS[args.layout]
    caller, unit = 'district-lingshui', 'districts/lingshui'
    # Only lingshui's own rate limit is lifted (the default, 500/s, would answer most calls RESOURCE_EXHAUSTED).
    env = {f'Parks__Gateway__CallerRateLimits__{caller}__TokensPerSecond': '10000000',
           f'Parks__Gateway__CallerRateLimits__{caller}__Burst': '10000000'}
    zone = LocalZone(ROOT, workdir, env, cpus=backend_cpu)
    try:
        gateway_pid, district_pid = zone.pid('parks-gateway'), zone.pid('parks-district-lingshui')
        if gateway_cpu != backend_cpu:
            pin(gateway_pid, gateway_cpu)
        district_grpc, district_http = zone.address('parks-district-lingshui')
        key = zone.run['apiKeys'][caller]
        enterprise = get_json(f'http://127.0.0.1:{zone.http_port}/v1/{unit}/enterprises?pageSize=1', key)['enterprises'][0]['name']
        name = enterprise.encode()
        assert len(name) < 128, 'the length is written as a one-byte varint'
        body = b'\x0a' + bytes([len(name)]) + name  # GetEnterpriseRequest.name = 1
        req = os.path.join(workdir, 'get-enterprise.grpc')
        with open(req, 'wb') as f:
            f.write(b'\x00' + struct.pack('>I', len(body)) + body)
        # What the gateway sends a backend for this caller: its identity, signed with the zone's internal key.
        signature = hmac.new(zone.run['internalKey'].encode(), f'{caller}\nunit\n{unit}'.encode(), hashlib.sha256).hexdigest().upper()
        paths = {
            'direct': (district_grpc, district_http, [f'x-parks-caller: {caller}', 'x-parks-caller-role: unit', f'x-parks-caller-unit: {unit}', f'x-parks-caller-sig: {signature}']),
            'gateway': (zone.grpc_port, zone.http_port, [f'authorization: Bearer {key}']),
        }

        def window(kind, conns, streams, duration, log=None):
            """One h2load window: rate, h2load's counts, the statuses the server counted, and the cores the gateway and
            the district process used meanwhile (per call too: for the gateway only meaningful on the gateway path)."""
            port, http, headers = paths[kind]
            before, t0, c0 = server_calls(http, GET_ENTERPRISE), time.time(), {p: cpu_seconds(p) for p in (gateway_pid, district_pid)}
            rate, counts = h2load(port, GET_ENTERPRISE, req, conns, streams, duration, pinned, log, headers)
            elapsed, statuses = time.time() - t0, count_delta(before, server_calls(http, GET_ENTERPRISE))
            cpu = {}
            for name, p in (('gateway', gateway_pid), ('district', district_pid)):
                used = cpu_seconds(p) - c0[p]
                cpu[name + '_cores'] = round(used / elapsed, 3)
                cpu[name + '_us_per_call'] = round(used / max(1, counts['done']) * 1e6, 1)
            return rate, counts, statuses, cpu

        # What the zone's processes use with no calls at all (event consumers and outbox relays poll Redis).
        idle_t0, idle_c0 = time.time(), {p: cpu_seconds(p) for p in (gateway_pid, district_pid)}
        time.sleep(5)
        idle = {name + '_idle_cores': round((cpu_seconds(p) - idle_c0[p]) / (time.time() - idle_t0), 3) for name, p in (('gateway', gateway_pid), ('district', district_pid))}
        for kind in ('direct', 'gateway'):
            window(kind, args.conns, args.streams, args.warmup)  # tiered JIT settles in both processes
        results = []
        for index in range(args.runs):
            for kind in ('direct', 'gateway'):
                rate, counts, statuses, cpu = window(kind, args.conns, args.streams, args.duration)
                floor_log = os.path.join(workdir, f'service-{kind}-{index}-floor.log')
                floor_rps, _, floor_statuses, _ = window(kind, 1, 1, max(5, args.duration // 2), floor_log)
                r = {'path': kind, 'run': index, 'rps': rate, 'h2load': counts, 'statuses': statuses, 'floor_statuses': floor_statuses,
                     'response_bytes_per_call': round((counts['data_bytes'] or 0) / max(1, counts['done']), 1), 'floor_rps': floor_rps, **cpu}
                r.update({'floor_' + k: v for k, v in percentiles(floor_log).items()})
                print(json.dumps(r), flush=True)
                results.append(r)
        return {'enterprise': enterprise, 'zone_ready_after_s': round(zone.ready_after, 1), 'idle': idle, 'runs': results}
    finally:
        zone.stop()


def medians(results, keys):
    return {kind: {key: statistics.median(r[key] for r in results if r['path'] == kind) for key in keys} for kind in ('direct', 'gateway')}


def ratios(m, results):
    """The target's two figures from the medians, and the throughput ratio of each interleaved direct/gateway pair."""
    pairs = [round(g['rps'] / d['rps'], 3) for d, g in zip((r for r in results if r['path'] == 'direct'), (r for r in results if r['path'] == 'gateway'))]
    return {
        'added_p50_ms_floor': round(m['gateway']['floor_p50_ms'] - m['direct']['floor_p50_ms'], 3),
        'throughput_gateway_over_direct': round(m['gateway']['rps'] / m['direct']['rps'], 3),
        'throughput_ratio_per_pair': pairs,
        'throughput_ratio_median_of_pairs': statistics.median(pairs),
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--phases', default='echo,service,overview')
    p.add_argument('--layout', choices=sorted(LAYOUTS), default='dedicated')
    p.add_argument('--runs', type=int, default=3)
    p.add_argument('--warmup', type=int, default=60)
    p.add_argument('--duration', type=int, default=20)
    p.add_argument('--conns', type=int, default=4)
    p.add_argument('--streams', type=int, default=32)
    p.add_argument('--overview-rate', type=int, default=200)
    p.add_argument('--overview-duration', type=int, default=30)
    args = p.parse_args()
    phases = set(args.phases.split(','))
    if not phases <= {'echo', 'service', 'overview'}:
        sys.exit(f'--phases: unknown {", ".join(sorted(phases - {"echo", "service", "overview"}))} (echo, service, overview)')
    for tool in ('h2load', 'taskset', 'dotnet') + (('redis-server',) if 'service' in phases else ()):
        if not shutil.which(tool):
            sys.exit(f'{tool} is required (./test.sh installs redis-server; h2load: apt-get install nghttp2-client)')

    subprocess.run(['dotnet', 'build', os.path.join(HERE, 'Parks.Benchmarks.Gateway.csproj'), '-c', 'Release', '-v', 'q', '-nologo'], check=True)
    if 'service' in phases:
        subprocess.run(['dotnet', 'build', os.path.join(ROOT, 'tools', 'Parks.AppHost'), '-c', 'Release', '-v', 'q', '-nologo'], check=True)
    dll = os.path.join(HERE, 'bin', 'Release', 'net10.0', 'Parks.Benchmarks.Gateway.dll')
    workdir = os.path.join(ROOT, 'tools', 'benchmarks', 'results', 'gateway-' + time.strftime('%Y%m%d-%H%M%S'))
    os.makedirs(workdir, exist_ok=True)
    echo_req, overview_req = os.path.join(workdir, 'echo.grpc'), os.path.join(workdir, 'overview.grpc')
    subprocess.run(['dotnet', dll, 'request', echo_req], check=True)
    subprocess.run(['dotnet', dll, 'request', overview_req, 'overview'], check=True)

    summary = {
        'machine': f'{os.cpu_count()} cpus, {os.uname().release}',
        'date': time.strftime('%Y-%m-%d %H:%M'),
        'args': vars(args),
    }
    detail = {}
    if 'echo' in phases:
        results = []
        for index in range(args.runs):
            for kind in ('direct', 'gateway'):
                r = pass_through_run(kind, dll, echo_req, args, workdir, index)
                print(json.dumps(r), flush=True)
                results.append(r)
        m = medians(results, ('rps', 'server_cores', 'sat_p50_ms', 'sat_p99_ms', 'floor_rps', 'floor_p50_ms', 'floor_p99_ms'))
        summary['echo'] = {'median': m, 'pass_through': {**ratios(m, results), 'added_p50_ms_saturated': round(m['gateway']['sat_p50_ms'] - m['direct']['sat_p50_ms'], 3)},
                           'non_ok': {'census': sum(v for r in results for k, v in r['census'].items() if k != 'OK'),
                                      'h2load_failed_or_errored': sum(r['h2load']['failed'] + r['h2load']['errored'] for r in results)}}
        detail['echo'] = results
    if 'service' in phases:
        service = service_phase(args, workdir)
        results = service['runs']
        m = medians(results, ('rps', 'floor_rps', 'floor_p50_ms', 'floor_p99_ms', 'gateway_cores', 'gateway_us_per_call',
                              'district_cores', 'district_us_per_call', 'response_bytes_per_call'))
        statuses = [s for r in results for s in (r['statuses'], r['floor_statuses'])]
        summary['service'] = {'enterprise': service['enterprise'], 'idle': service['idle'], 'median': m, 'pass_through': ratios(m, results),
                              # h2load stops with calls in flight: the gateway counts those CANCELLED (at most c x m per window).
                              'cancelled_at_window_end': sum(s.get('1', 0) for s in statuses),
                              'non_ok': {'statuses': sum(v for s in statuses for k, v in s.items() if k not in ('0', '1')),
                                         'h2load_failed_or_errored': sum(r['h2load']['failed'] + r['h2load']['errored'] for r in results)}}
        detail['service'] = service
    if 'overview' in phases:
        overview = overview_run(dll, overview_req, args, workdir)
        print(json.dumps({'overview': overview}), flush=True)
        summary['overview'] = {k: overview[k] for k in ('rps', 'p50_ms', 'p90_ms', 'p99_ms', 'p999_ms', 'n')}
        summary['overview']['h2load_failed_or_errored'] = overview['h2load']['failed'] + overview['h2load']['errored']
        detail['overview'] = overview
    summary['load_average_at_end'] = os.getloadavg()
    with open(os.path.join(workdir, 'summary.json'), 'w') as f:
        json.dump({'summary': summary, **detail}, f, indent=2)
    print(json.dumps(summary, indent=2))
    print(f'results: {workdir}')


if __name__ == '__main__':
    main()
