#!/usr/bin/env python3
"""Latency of one GET over HTTP keep-alive, one client, bounded count.

    ops/bench/latency.py URL TOKEN N [ACCEPT]

TOKEN is a bearer token, or "cookie:NAME=VALUE" for a page behind a session cookie.

Prints one line: "p50 p90 p99 max" in milliseconds (and a human line on stderr).
"""
import http.client, sys, time, urllib.parse

url, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
accept = sys.argv[4] if len(sys.argv) > 4 else "application/json"
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
path = u.path + ("?" + u.query if u.query else "")
headers = {"Cookie": token[len("cookie:"):]} if token.startswith("cookie:") else {"Authorization": f"Bearer {token}"}
headers["Accept"] = accept

def get():
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit(f"GET {path}: {r.status} {body[:200]!r}")
    return len(body)

for _ in range(min(50, n)):  # warm-up: JIT, pools, plans
    get()
samples, size = [], 0
for _ in range(n):
    t = time.perf_counter()
    size = get()
    samples.append((time.perf_counter() - t) * 1000)
samples.sort()
q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
print(f"{q(0.5):.2f} {q(0.9):.2f} {q(0.99):.2f} {samples[-1]:.2f}")
print(f"GET {path}: {n} requests, body {size} bytes: p50 {q(0.5):.2f} ms, p90 {q(0.9):.2f} ms, p99 {q(0.99):.2f} ms, max {samples[-1]:.2f} ms", file=sys.stderr)
