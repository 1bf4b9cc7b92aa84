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
import argparse, json, math, os, shutil, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import LocalZone, count_delta, get_json, h2load, percentiles, server_calls

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
OVERVIEW = '/parks.gateway.v1.CityOverviewService/GetCityOverview'
UNITS = 11  # six districts and five branch parks hold the demo enterprises


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
    per_unit = math.ceil(args.enterprises / UNITS)
    zone = LocalZone(ROOT, workdir, {'Parks__Units__DemoEnterprisesPerUnit': str(per_unit)})
    grpc_port, http_port, ready_after = zone.grpc_port, zone.http_port, zone.ready_after
    try:
        key = zone.run['apiKeys']['dashboard']

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
        before = server_calls(http_port, OVERVIEW)
        latency_log = os.path.join(workdir, 'overview.log')
        rate, counts = h2load(grpc_port, OVERVIEW, request, conns, 1, args.duration, pinned=False, log=latency_log, headers=headers, rps=args.rate // conns)
        statuses = count_delta(before, server_calls(http_port, OVERVIEW))
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
        zone.stop()


if __name__ == '__main__':
    main()
