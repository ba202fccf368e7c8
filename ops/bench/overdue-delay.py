#!/usr/bin/env python3
"""Delay from an item's due time to its overdue event, with the service's own scheduler.

    ops/bench/overdue-delay.py BASE_URL TOKEN [N]

Creates N items (default 20) due 5 to 25 seconds from now, waits until every one has its
overdue event (at most 90 s), and prints the delays' p50/p90/max in seconds. Loopback only.
"""
import datetime as dt, http.client, json, sys, time, urllib.parse

base, token = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

def call(method, path, body=None):
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data)

def instant(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))

now = dt.datetime.now(dt.timezone.utc)
items = []
for i in range(n):
    due = now + dt.timedelta(seconds=5 + 20 * i / max(1, n - 1))
    item = call("POST", "/api/action-items", {"title": f"Overdue probe {i}", "team": "platform", "owner": "alice",
                                              "priority": "critical", "dueAt": due.isoformat().replace("+00:00", "Z")})
    items.append(item)

delays, deadline = {}, time.monotonic() + 90
while len(delays) < n and time.monotonic() < deadline:
    time.sleep(1)
    for item in items:
        if item["id"] in delays:
            continue
        events = call("GET", f"/api/action-items/{item['id']}/history")["events"]
        overdue = [e for e in events if e["type"] == "action_item_overdue"]
        if overdue:
            delays[item["id"]] = (instant(overdue[0]["occurredAt"]) - instant(item["dueAt"])).total_seconds()
if len(delays) < n:
    raise SystemExit(f"only {len(delays)} of {n} items became overdue within 90 s")
values = sorted(delays.values())
pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
print(f"due -> overdue event, {n} items: p50 {pick(0.5):.2f} s, p90 {pick(0.9):.2f} s, max {values[-1]:.2f} s, min {values[0]:.2f} s")
