#!/usr/bin/env python3
"""City overview benchmark (not a unit test): GetCityOverview through the gateway of a whole local zone.

The zone is the local run (tools/Parks.AppHost, Release build) with Redis state and its demo data sized so that the
districts and branch parks hold --enterprises enterprises in total: every Science City, district, branch-park,
talent and finance process and the gateway, each its own process, the real overview sources behind the gateway.
Before the measurement the overview is read once over REST to check that every unit is CURRENT and to count the
zone's enterprises. h2load then calls GetCityOverview at a fixed rate (--rate in total, over 4 connections) for
--duration seconds after a warm-up; latency percentiles come from h2load's log. h2load does not read grpc-status,
so the gateway's own parks_rpc_server_calls_total{rpc_method=".../GetCityOverview"} counts, scraped before and
after, say which statuses the calls really got.

Usage: tools/benchmarks/overview/run.py [--enterprises 100000] [--rate 200] [--duration 30] [--warmup 20]
"""
import argparse, json, math, os, re, shutil, signal, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import free_port, h2load, percentiles

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
OVERVIEW = '/parks.gateway.v1.CityOverviewService/GetCityOverview'
UNITS = 11  # six districts and five branch parks hold the demo enterprises


def get_json(url, key):
    request = urllib.request.Request(url, headers={'authorization': f'Bearer {key}'})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.load(r)


def overview_calls(http_port):
    """grpc-status -> calls of GetCityOverview, from the gateway's Prometheus page."""
    with urllib.request.urlopen(f'http://127.0.0.1:{http_port}/metrics', timeout=10) as r:
        text = r.read().decode()
    counts = {}
    for line in text.splitlines():
        if line.startswith('parks_rpc_server_calls_total{') and 'GetCityOverview' in line:
            status = re.search(r'rpc_grpc_status_code="(\d+)"', line).group(1)
            counts[status] = counts.get(status, 0) + int(float(line.rsplit(' ', 1)[1]))
    return counts


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--enterprises', type=int, default=100000)
    p.add_argument('--rate', type=int, default=200)
    p.add_argument('--duration', type=int, default=30)
    p.add_argument('--warmup', type=int, default=20)
    args = p.parse_args()
    for tool in ('h2load', 'dotnet', 'redis-server'):
        if not shutil.which(tool):
            sys.exit(f'{tool} is required (./test.sh installs redis-server and nghttp2-client)')

    project = os.path.join(ROOT, 'tools', 'Parks.AppHost')
    subprocess.run(['dotnet', 'build', project, '-c', 'Release', '-v', 'q', '-nologo'], check=True)
    workdir = os.path.join(ROOT, 'tools', 'benchmarks', 'results', 'overview-' + time.strftime('%Y%m%d-%H%M%S'))
    os.makedirs(workdir, exist_ok=True)
    run_file = os.path.join(tempfile.mkdtemp(prefix='parks-overview-bench-'), 'run.json')
    grpc_port, http_port = free_port(), free_port()
    per_unit = math.ceil(args.enterprises / UNITS)
    env = dict(os.environ, Parks__Units__DemoEnterprisesPerUnit=str(per_unit))
    cmd = ['dotnet', 'run', '--no-build', '-c', 'Release', '--project', project, '--', '--redis', '--run-file', run_file,
           '--port-base', str(20000 + (grpc_port % 20000)), '--gateway-grpc-port', str(grpc_port), '--gateway-http-port', str(http_port)]
    log = open(os.path.join(workdir, 'apphost.log'), 'w')
    started = time.time()
    zone = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while not os.path.exists(run_file):
            if zone.poll() is not None:
                sys.exit(f'the local run ended with {zone.returncode}; see {log.name}')
            if time.time() - started > 600:
                sys.exit(f'the local run was not ready within 600 s; see {log.name}')
            time.sleep(1)
        ready_after = time.time() - started
        key = json.load(open(run_file))['apiKeys']['dashboard']

        # Every unit current, and the zone's size as the overview reports it.
        deadline = time.time() + 120
        while True:
            overview = get_json(f'http://127.0.0.1:{http_port}/v1/overview', key)
            overview = overview.get('overview', overview)
            units = overview['units']
            fresh = [u for u in units if u['status']['freshness'] == 'FRESHNESS_CURRENT']
            if len(fresh) == len(units) or time.time() > deadline:
                break
            time.sleep(2)
        enterprises = int(overview['totals'].get('enterpriseCount', 0))
        print(json.dumps({'ready_after_s': round(ready_after, 1), 'units': len(units), 'units_current': len(fresh), 'enterprises': enterprises}), flush=True)
        if len(fresh) != len(units):
            sys.exit('not every unit is current: ' + ', '.join(f"{u['unit']} {u['status']['freshness']}" for u in units if u not in fresh))

        request = os.path.join(workdir, 'overview.grpc')
        with open(request, 'wb') as f:
            f.write(b'\x00\x00\x00\x00\x00')  # an empty GetCityOverviewRequest, framed
        headers = [f'authorization: Bearer {key}']
        conns = 4
        h2load(grpc_port, OVERVIEW, request, conns, 1, args.warmup, pinned=False, headers=headers, rps=args.rate // conns)
        before = overview_calls(http_port)
        latency_log = os.path.join(workdir, 'overview.log')
        rate, counts = h2load(grpc_port, OVERVIEW, request, conns, 1, args.duration, pinned=False, log=latency_log, headers=headers, rps=args.rate // conns)
        after = overview_calls(http_port)
        statuses = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}
        result = {
            'date': time.strftime('%Y-%m-%d %H:%M'),
            'machine': f'{os.cpu_count()} cpus, {os.uname().release}',
            'load_average': os.getloadavg(),
            'args': vars(args),
            'ready_after_s': round(ready_after, 1),
            'enterprises': enterprises,
            'units_current': len(fresh),
            'rps': rate,
            'h2load': counts,
            'server_status_counts': statuses,
        }
        result.update(percentiles(latency_log))
        with open(os.path.join(workdir, 'summary.json'), 'w') as f:
            json.dump(result, f, indent=2)
        print(json.dumps(result, indent=2))
        print(f'results: {workdir}')
    finally:
        os.killpg(zone.pid, signal.SIGINT)
        try:
            zone.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(zone.pid, signal.SIGKILL)
        log.close()


if __name__ == '__main__':
    main()
