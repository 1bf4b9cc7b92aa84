#!/usr/bin/env python3
"""Events benchmark (issue 5): the Redis-backed path (Redis state + Redis Streams, no Dapr) on this machine.

Starts its own redis-server (save and AOF off), then for each run a fresh consumer and producer process:
  latency    - the producer commits state changes with their events at a fixed rate (default 1,000/s); the
               consumer records, per event, the time from the event's creation (just before its commit) to the
               commit of the handler's effect (the Parks.Events lag histogram); the first events are warm-up.
  throughput - the producer commits as fast as it can with many writers; sustained events/s is the number of
               events divided by the time from the first commit to the last effect.
Nothing is pinned: redis-server, producer and consumer share the machine's cores, as in a local run. On a machine
shared with other work, --nice -10 gives the three processes precedence (CPU time per event is reported either
way and does not depend on what else runs).

Usage: tools/benchmarks/events/run.py [--runs 3] [--rate 1000] [--seconds 20] [--throughput-events 50000] [--nice N]
"""
import argparse, json, os, platform, shutil, socket, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import cpu_model, free_port

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
PROJECT = os.path.join(ROOT, 'tools', 'benchmarks', 'events', 'Parks.Benchmarks.Events.csproj')








NICE = []


def start_redis():
    port, data = free_port(), tempfile.mkdtemp(prefix='parks-bench-redis-')
    proc = subprocess.Popen(NICE + ['redis-server', '--port', str(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
                             '--dir', data, '--logfile', ''], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.2) as s:
                s.sendall(b'PING\r\n')
                if s.recv(16).startswith(b'+PONG'):
                    return proc, port, data
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError('redis-server did not start')


def redis_cpu(port):
    with socket.create_connection(('127.0.0.1', port), timeout=2) as s:
        s.sendall(b'INFO cpu\r\n')
        data = b''
        while b'used_cpu_user:' not in data or not data.endswith(b'\r\n'):
            data += s.recv(4096)
    fields = dict(l.split(':', 1) for l in data.decode().splitlines() if ':' in l)
    return float(fields['used_cpu_sys']) + float(fields['used_cpu_user'])


def last_json(text):
    return json.loads([l for l in text.splitlines() if l.startswith('{')][-1])


def one_run(dll, redis, name, count, rate, concurrency, warmup):
    port = int(redis.rsplit(':', 1)[1])
    redis_cpu_before = redis_cpu(port)
    prefix = f'bench-{name}-{time.time_ns()}:'
    consumer = subprocess.Popen(NICE + ['dotnet', dll, 'consumer', redis, prefix, str(count), str(warmup)],
                                stdout=subprocess.PIPE, text=True)
    if consumer.stdout.readline().strip() != 'ready':
        raise RuntimeError('consumer did not start')
    producer = subprocess.run(NICE + ['dotnet', dll, 'producer', redis, prefix, str(count), str(rate), str(concurrency)],
                              capture_output=True, text=True, check=True)
    out, _ = consumer.communicate(timeout=600)
    p, c = last_json(producer.stdout), last_json(out)
    if not c['complete'] or c['delivered'] != count:
        raise RuntimeError(f'consumer saw {c["delivered"]} of {count} effects')
    redis_cpu_used = redis_cpu(port) - redis_cpu_before
    # CPU time per event of each process (start-up included): what the path costs, whatever else runs.
    cpu = {'producer_us': p['cpuSeconds'] / count * 1e6, 'consumer_us': c['cpuSeconds'] / count * 1e6,
           'redis_us': redis_cpu_used / count * 1e6}
    cpu['total_us'] = sum(cpu.values())
    return {'producer': p, 'consumer': c, 'cpu_per_event': cpu,
            'sustained_events_per_s': count / ((c['lastEffectUnixMs'] - p['startedUnixMs']) / 1000.0)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--rate', type=int, default=1000)
    ap.add_argument('--seconds', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=2000)
    ap.add_argument('--throughput-events', type=int, default=50000)
    ap.add_argument('--writers', type=int, default=64)
    ap.add_argument('--nice', type=int, default=None, help='run redis-server, producer and consumer at this nice value')
    args = ap.parse_args()
    if args.nice is not None:
        NICE.extend(['nice', '-n', str(args.nice)])

    out_dir = os.path.join(ROOT, 'tools', 'benchmarks', 'results')
    os.makedirs(out_dir, exist_ok=True)
    subprocess.run(['dotnet', 'build', PROJECT, '-c', 'Release', '-o', os.path.join(out_dir, 'events-bin'), '--nologo', '-v', 'q'], check=True)
    dll = os.path.join(out_dir, 'events-bin', 'Parks.Benchmarks.Events.dll')

    redis_proc, port, data = start_redis()
    redis = f'127.0.0.1:{port}'
    results = {'machine': {'cpus': os.cpu_count(), 'model': cpu_model(),
                           'kernel': platform.release(), 'loadavg_at_start': os.getloadavg(), 'redis': subprocess.run(['redis-server', '--version'], capture_output=True, text=True).stdout.strip()},
               'date': time.strftime('%Y-%m-%d %H:%M:%S %Z'), 'args': vars(args), 'latency': [], 'throughput': []}
    try:
        for run in range(args.runs):
            count = args.rate * args.seconds + args.warmup
            r = one_run(dll, redis, 'latency', count, args.rate, 16, args.warmup)
            results['latency'].append(r)
            c = r['consumer']
            print(f'latency run {run + 1}: {args.rate}/s x {count}: p50 {c["p50Ms"]:.2f} ms, p90 {c["p90Ms"]:.2f} ms, '
                  f'p99 {c["p99Ms"]:.2f} ms, max {c["maxMs"]:.1f} ms (late commits {r["producer"]["lateCommits"]}); '
                  f'cpu/event {r["cpu_per_event"]}', flush=True)
        for run in range(args.runs):
            r = one_run(dll, redis, 'throughput', args.throughput_events, 0, args.writers, 0)
            results['throughput'].append(r)
            print(f'throughput run {run + 1}: {args.throughput_events} events, commits {r["producer"]["commitRate"]:.0f}/s, '
                  f'sustained end to end {r["sustained_events_per_s"]:.0f} events/s; cpu/event {r["cpu_per_event"]}', flush=True)
    finally:
        redis_proc.terminate()
        redis_proc.wait(10)
        shutil.rmtree(data, ignore_errors=True)

    med = lambda xs: statistics.median(xs)
    summary = {
        'latency_p50_ms': med([r['consumer']['p50Ms'] for r in results['latency']]),
        'latency_p99_ms': med([r['consumer']['p99Ms'] for r in results['latency']]),
        'sustained_events_per_s': med([r['sustained_events_per_s'] for r in results['throughput']]),
        'cpu_us_per_event': med([r['cpu_per_event']['total_us'] for r in results['throughput']]),
    }
    results['machine']['loadavg_at_end'] = os.getloadavg()
    results['summary'] = summary
    path = os.path.join(out_dir, f'events-{time.strftime("%Y%m%d-%H%M%S")}.json')
    with open(path, 'w') as f:
        json.dump(results, f, indent=2)
    print(json.dumps(summary), f'\nresults: {path}')


if __name__ == '__main__':
    sys.exit(main())
