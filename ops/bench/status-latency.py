#!/usr/bin/env python3
"""Single-client latency of a status change, end to end over HTTP on one keep-alive connection.

    ops/bench/status-latency.py BASE_URL TOKEN [N]

Creates one item, then toggles it between in_progress and open N times (default 1000) and
prints p50/p90/p99/max in milliseconds. Loopback only; bounded by N.
"""
import http.client, json, sys, time, urllib.parse

base, token = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

def post(path, body):
    conn.request("POST", path, json.dumps(body), headers)
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"{path}: {response.status} {data[:300]!r}")
    return json.loads(data)

item = post("/api/action-items", {"title": "Latency probe", "team": "platform", "owner": "alice"})
path = f"/api/action-items/{item['id']}/status"
for i in range(50):  # warm up JIT, pools, prepared statements
    post(path, {"status": "in_progress" if i % 2 == 0 else "open"})
samples = []
for i in range(n):
    started = time.perf_counter()
    post(path, {"status": "in_progress" if i % 2 == 0 else "open"})
    samples.append((time.perf_counter() - started) * 1000)
samples.sort()
pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
print(f"status change, 1 client, {n} requests: p50 {pick(0.5):.2f} ms, p90 {pick(0.9):.2f} ms, p99 {pick(0.99):.2f} ms, max {samples[-1]:.2f} ms")
