#!/usr/bin/env python3
"""Feed, webhook and broker lag under write load (issue: events for other services).

    ops/bench/event-lag.py BASE_URL ADMIN_TOKEN SECONDS WRITERS [BATCH] [AMQP_URI]

Writers post comments on a few items as fast as they can for SECONDS; meanwhile a follower
long-polls /api/events, a webhook receiver on loopback takes deliveries (BATCH events per call,
default 1) and, with AMQP_URI, a queue bound to the exchange consumes (ops/bench/broker-lag.cs).
Lag is the time from the event's `time` (set when it was appended) to its arrival. Prints one
JSON line. ops/bench/event-lag runs it all on private servers.
"""
import datetime as dt, http.client, http.server, json, multiprocessing, os, subprocess, sys, threading, time, urllib.parse

base, token, seconds, writers = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
batch = int(sys.argv[5]) if len(sys.argv) > 5 else 1
amqp = sys.argv[6] if len(sys.argv) > 6 else None
u = urllib.parse.urlparse(base)
H = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
team = "lag-" + str(int(time.time()))

def conn():
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)

def call(c, method, path, body=None):
    c.request(method, path, json.dumps(body) if body is not None else None, H)
    r = c.getresponse()
    data = r.read()
    return r.status, (json.loads(data) if data else None)

def parse(t):
    return dt.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()

hook_lags, feed_lags, errors, writes = [], [], [0], [0]
lock = threading.Lock()

class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        now = time.time()
        for e in body if isinstance(body, list) else [body]:
            self.server.lags.put(now - parse(e["time"]))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

def receive(port_out, lags):
    # A process of its own, as a real receiver is: not starved by the load generators.
    http.server.ThreadingHTTPServer.request_queue_size = 128
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.lags = lags
    port_out.put(server.server_address[1])
    server.serve_forever()

lag_queue, port_queue = multiprocessing.Queue(), multiprocessing.Queue()
receiver = multiprocessing.Process(target=receive, args=(port_queue, lag_queue), daemon=True)
receiver.start()
port = port_queue.get(timeout=10)

c = conn()
status, sub = call(c, "POST", "/api/subscriptions", {"url": f"http://127.0.0.1:{port}/hook", "teams": [team], "batch": batch})
assert status == 201, (status, sub)
items = []
for i in range(8):
    status, item = call(c, "POST", "/api/action-items", {"title": f"Lag probe {i}", "team": team, "owner": "bench"})
    assert status == 201, (status, item)
    items.append(item["id"])

broker_lags, broker = [], None
if amqp:
    here = os.path.dirname(os.path.abspath(__file__))
    broker = subprocess.Popen(["dotnet", "run", os.path.join(here, "broker-lag.cs"), "--", amqp],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert broker.stdout.readline().strip() == "ready"
    def consume():
        for line in broker.stdout:
            broker_lags.append(float(line.split()[0]))
    threading.Thread(target=consume, daemon=True).start()

stop = time.time() + seconds
def writer(n):
    c = conn()
    i = 0
    while time.time() < stop:
        status, _ = call(c, "POST", f"/api/action-items/{items[(n + i) % len(items)]}/comments", {"text": f"note {n}-{i}"})
        with lock:
            if status == 201: writes[0] += 1
            else: errors[0] += 1
        i += 1

def follower():
    c = conn()
    after = start_after
    while time.time() < stop + 5:
        _, page = call(c, "GET", f"/api/events?team={team}&limit=1000&wait=2&after={after}")
        now = time.time()
        with lock:
            feed_lags.extend(now - parse(e["time"]) for e in page["events"] if e["type"].endswith("commented.v1"))
        after = page["next"]

# Where the follower starts: after the creations, before any write of the load.
_, first = call(c, "GET", f"/api/events?team={team}&limit=1000")
start_after = first["next"]
threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)] + [threading.Thread(target=follower)]
for t in threads: t.start()
for t in threads: t.join()
deadline = time.time() + 60
while len(hook_lags) < writes[0] + len(items) and time.time() < deadline:
    try:
        hook_lags.append(lag_queue.get(timeout=0.5))
    except Exception:
        pass
receiver.terminate()
if broker:
    # Every event of both loads: the queue has gone quiet once the other load has stopped too.
    seen = -1
    while len(broker_lags) != seen and time.time() < deadline:
        seen = len(broker_lags)
        time.sleep(3)
    broker.stdin.close()
    broker.wait(timeout=30)

def q(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")
print(json.dumps({
    "writes": writes[0], "errors": errors[0], "writes_per_s": round(writes[0] / seconds, 1),
    "feed": {"events": len(feed_lags), "p50_ms": round(q(feed_lags, .5) * 1000, 1), "p99_ms": round(q(feed_lags, .99) * 1000, 1), "max_ms": round(q(feed_lags, 1) * 1000, 1)},
    "webhook": {"batch": batch, "events": len(hook_lags), "expected": writes[0] + len(items), "p50_ms": round(q(hook_lags, .5) * 1000, 1), "p99_ms": round(q(hook_lags, .99) * 1000, 1), "max_ms": round(q(hook_lags, 1) * 1000, 1)},
    **({"broker": {"events": len(broker_lags), "p50_ms": round(q(broker_lags, .5) * 1000, 1), "p99_ms": round(q(broker_lags, .99) * 1000, 1), "max_ms": round(q(broker_lags, 1) * 1000, 1)}} if amqp else {}),
}))
