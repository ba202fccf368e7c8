#!/usr/bin/env python3
"""Write load and verification for the fault scripts (ops/fault/kill-service, ops/fault/restart-postgres).

    load.py write  --base URL --tokens FILE --dir DIR [--writers 8] [--items 4] [--seconds 20] [--drain 20]
    load.py report --base URL --tokens FILE --dir DIR --scenario NAME --psql PSQL... [--record DOC]

write: creates the items, touches DIR/started, then WRITERS threads post comments for SECONDS,
each with a unique text and a unique Idempotency-Key. A request that gets no answer, a 5xx, a 409
(concurrent update) or a 429 is sent again, identical and with the same key, until it is answered
201 or DRAIN seconds after the load ended. A probe thread reads /health/ready and /health/live
every 100 ms. Everything each request and probe saw goes to DIR/requests.json and DIR/probes.json.

report: compares what the clients saw acknowledged with what is stored (SQL on the events table and
the public API), reads the fault timeline the bash script wrote to DIR/timeline ("name epoch-seconds"
lines), prints one JSON summary line and exits 1 when anything acknowledged is lost, anything is
stored twice, or the service did not recover. --record appends a row to DOC's table for SCENARIO.

Standard library only; loopback only; every wait is bounded.
"""
import argparse, datetime, http.client, json, os, random, subprocess, sys, threading, time, urllib.parse, uuid

TEAM = "platform"
COMMENTED = "action_item_commented"  # stored name of ActionItemCommented (EventTypeRegistry snake_case)
PROBE_EVERY = 0.1
REQUEST_TIMEOUT = 10
RESEND_SHARE = float(os.environ.get("FAULT_RESEND_SHARE", "0.05"))  # acknowledged requests sent again, same key, to check the replay


def load_tokens(path):
    tokens = []
    with open(path) as f:
        for line in f:
            if line.strip():
                sub, token = line.split()
                tokens.append((sub, token))
    return tokens


class Client:
    """One keep-alive connection; dropped and opened again after any transport error."""

    def __init__(self, base, token):
        url = urllib.parse.urlparse(base)
        self.host, self.port = url.hostname, url.port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.conn = None

    def call(self, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT):
        """(status, headers, body bytes); raises OSError/HTTPException when nothing came back."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            self.conn.request(method, path, None if body is None else json.dumps(body), {**self.headers, **(headers or {})})
            response = self.conn.getresponse()
            return response.status, response.headers, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise


def get_json(client, path):
    status, _, data = client.call("GET", path)
    if status != 200:
        raise SystemExit(f"GET {path}: {status} {data[:300]!r}")
    return json.loads(data)


# ---------------------------------------------------------------- write

def create_items(client, owner, count, run, deadline):
    items = []
    for i in range(count):
        body = {"title": f"Fault test target {i + 1} ({run})", "team": TEAM, "owner": owner}
        key = f"{run}-item-{i}"
        while True:
            try:
                status, _, data = client.call("POST", "/api/action-items", body, {"Idempotency-Key": key})
                if status == 201:
                    items.append(json.loads(data)["id"])
                    break
                if status < 500 and status not in (409, 429):
                    raise SystemExit(f"creating an item: {status} {data[:300]!r}")
            except (OSError, http.client.HTTPException):
                pass
            if time.time() > deadline:
                raise SystemExit("creating the items: no answer before the deadline")
            time.sleep(0.2)
    return items


def writer(index, base, sub, token, items, run, stop_at, give_up_at, out):
    client = Client(base, token)
    rnd = random.Random(index)
    seq = 0
    while time.time() < stop_at:
        seq += 1
        key = f"{run}-{sub}-{seq}"
        text = f"fault {run} {sub} #{seq}"
        item = items[rnd.randrange(len(items))]
        req = {"key": key, "text": text, "item": item, "writer": sub, "attempts": 0, "outcomes": {},
               "sent_at": time.time(), "acked_at": None, "comment_id": None, "final": None, "replayed": False}
        out.append(req)
        backoff = 0.05
        while True:
            req["attempts"] += 1
            last_sent = time.time()
            try:
                status, headers, data = client.call("POST", f"/api/action-items/{item}/comments", {"text": text},
                                                    {"Idempotency-Key": key})
                outcome = str(status)
            except (OSError, http.client.HTTPException) as e:
                status, headers, data, outcome = None, None, b"", type(e).__name__
            req["outcomes"][outcome] = req["outcomes"].get(outcome, 0) + 1
            if status == 201:
                answer = json.loads(data)
                req["acked_at"] = time.time()
                req["comment_id"] = answer.get("id")
                req["final"] = "acked" if answer.get("text") == text else "wrong-ack"
                # The comment was decided before this attempt was sent: an earlier attempt
                # committed, its answer was lost, and this one got the recorded response.
                req["replayed"] = iso_seconds(answer.get("createdAt")) < last_sent - 0.01
                if rnd.random() < RESEND_SHARE:
                    resend(client, req, item, text, key, give_up_at, rnd)
                break
            if status is not None and status < 500 and status not in (409, 429):
                req["final"] = f"rejected {status}"  # would be a bug: e.g. 422 key reused
                break
            if time.time() > give_up_at:
                req["final"] = "never-acked"
                break
            # Retry the same request with the same key: 5xx, no answer, 409 concurrent update, 429.
            wait = backoff
            if status == 429 and headers is not None:
                wait = float(headers.get("Retry-After", "1"))
            time.sleep(wait * (0.5 + rnd.random()))
            backoff = min(backoff * 2, 0.5)


def iso_seconds(value):
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if value else float("inf")


def resend(client, req, item, text, key, give_up_at, rnd):
    """Sends an acknowledged request again with its key until answered: it must get the first answer."""
    req["resend_outcomes"] = []
    while True:
        try:
            status, _, data = client.call("POST", f"/api/action-items/{item}/comments", {"text": text}, {"Idempotency-Key": key})
        except (OSError, http.client.HTTPException) as e:
            status, data = None, type(e).__name__
        req["resend_outcomes"].append(status or data)
        if status == 201:
            answer_id = json.loads(data).get("id")
            req["resend"] = "same" if answer_id == req["comment_id"] else f"different id {answer_id}"
            return
        if status is not None and status < 500 and status not in (409, 429):
            req["resend"] = f"refused {status}: {data[:200]!r}"
            return
        if time.time() > give_up_at:
            return  # the fault outlasted the drain; the stored count still shows whether it acted twice
        time.sleep(0.1 + 0.2 * rnd.random())


def probe(base, until, out):
    url = urllib.parse.urlparse(base)
    while not until.is_set():
        started = time.time()
        row = {"t": started}
        for name in ("ready", "live"):
            # A fresh connection each time: a probe should see what a new client sees.
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=2)
            try:
                conn.request("GET", f"/health/{name}")
                row[name] = conn.getresponse().status
            except (OSError, http.client.HTTPException) as e:
                row[name] = type(e).__name__
            finally:
                conn.close()
        row["done"] = time.time()
        out.append(row)
        until.wait(max(0.0, PROBE_EVERY - (time.time() - started)))


def cmd_write(args):
    tokens = load_tokens(args.tokens)
    writers = tokens[:args.writers]
    if len(writers) < args.writers:
        raise SystemExit(f"{args.tokens}: need {args.writers} writer tokens")
    run = args.run or uuid.uuid4().hex[:8]
    owner, owner_token = writers[0]
    items = create_items(Client(args.base, owner_token), owner, args.items, run, time.time() + 30)

    probes, done = [], threading.Event()
    prober = threading.Thread(target=probe, args=(args.base, done, probes), daemon=True)
    prober.start()
    started = time.time()
    stop_at = started + args.seconds
    give_up_at = stop_at + args.drain
    with open(os.path.join(args.dir, "started"), "w") as f:
        f.write(f"{started}\n")

    lists = [[] for _ in writers]
    threads = [threading.Thread(target=writer, args=(i, args.base, sub, token, items, run, stop_at, give_up_at, lists[i]), daemon=True)
               for i, (sub, token) in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, give_up_at + REQUEST_TIMEOUT + 5 - time.time()))
    done.set()
    prober.join(5)
    requests = [r for rs in lists for r in rs]
    with open(os.path.join(args.dir, "requests.json"), "w") as f:
        json.dump({"run": run, "items": items, "started": started, "stop_at": stop_at, "give_up_at": give_up_at,
                   "writers": len(writers), "stuck_writers": sum(t.is_alive() for t in threads), "requests": requests}, f)
    with open(os.path.join(args.dir, "probes.json"), "w") as f:
        json.dump(probes, f)
    acked = sum(r["final"] == "acked" for r in requests)
    print(f"load: {len(requests)} requests, {acked} acknowledged", file=sys.stderr)


# ---------------------------------------------------------------- report

def psql(cmd, sql):
    out = subprocess.run(cmd + ["-AtF", "\t", "-c", sql], check=True, capture_output=True, text=True, timeout=60).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def read_timeline(path):
    timeline = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    name, value = line.split(None, 1)
                    timeline[name] = value.strip()
    return timeline


def first(rows, predicate):
    return next((r for r in rows if predicate(r)), None)


def wait_for_projections(psql_cmd, timeout):
    """Seconds until every async projection (Marten's progression, shards named 'name:All') has reached the last event, or None."""
    sql = """select count(*) filter (where p.last_seq_id < e.seq_id), count(*)
               from mt_event_progression p,
                    (select max(seq_id) as seq_id from mt_events) e
              where p.name like '%:All'"""
    started = time.time()
    while time.time() - started < timeout:
        behind, total = psql(psql_cmd, sql)[0]
        if int(total) > 0 and int(behind) == 0:
            return round(time.time() - started, 2)
        time.sleep(0.2)
    return None


def cmd_report(args):
    with open(os.path.join(args.dir, "requests.json")) as f:
        load = json.load(f)
    with open(os.path.join(args.dir, "probes.json")) as f:
        probes = json.load(f)
    timeline = read_timeline(os.path.join(args.dir, "timeline"))
    tl = {k: float(v) for k, v in timeline.items() if k.startswith("t_")}
    requests = load["requests"]
    run = load["run"]
    tokens = dict(load_tokens(args.tokens))
    reader = Client(args.base, tokens[requests[0]["writer"]] if requests else next(iter(tokens.values())))

    # What is stored, straight from Marten's events table: every comment of this run, with its count.
    stored = {}
    for text, count, ids in psql(args.psql, f"""
            select data->>'text', count(*), string_agg(data->>'commentId', ',')
              from mt_events where type = '{COMMENTED}' and data->>'text' like 'fault {run} %' group by 1"""):
        stored[text] = (int(count), ids.split(","))
    # And through the public API: each item's history, and its version against its event count.
    via_api, version_mismatch = {}, 0
    for item in load["items"]:
        events = get_json(reader, f"/api/action-items/{item}/history")["events"]
        for e in events:
            if e["type"] == COMMENTED:
                via_api[e["data"]["text"]] = via_api.get(e["data"]["text"], 0) + 1
        if get_json(reader, f"/api/action-items/{item}")["version"] != len(events):
            version_mismatch += 1

    sent = {r["text"]: r for r in requests}
    acked = [r for r in requests if r["final"] == "acked"]
    lost = [r["text"] for r in acked if stored.get(r["text"], (0,))[0] == 0]
    lost_api = [r["text"] for r in acked if via_api.get(r["text"], 0) == 0]
    duplicated = [t for t, (n, _) in stored.items() if n > 1]
    duplicated_api = [t for t, n in via_api.items() if n > 1]
    wrong_id = [r["text"] for r in acked if r["text"] in stored and r["comment_id"] not in stored[r["text"]][1]]
    unexpected = [t for t in stored if t not in sent]
    never = [r for r in requests if r["final"] == "never-acked"]
    stored_unacked = [r["text"] for r in requests if r["final"] != "acked" and r["text"] in stored]
    rejected = [r for r in requests if r["final"] not in ("acked", "never-acked")]
    retried = [r for r in requests if r["attempts"] > 1]

    replayed = [r for r in acked if r["replayed"]]
    resent = [r for r in acked if "resend_outcomes" in r]
    resend_mismatch = [r for r in resent if r.get("resend") != "same"]

    # Timeline: t_fault (kill or stop issued), t_down (process gone or cluster stopped),
    # t_restart (start issued), t_up (service process started or cluster accepting connections).
    fault, down, restart, up = (tl.get(k) for k in ("t_fault", "t_down", "t_restart", "t_up"))
    if None in (fault, down, restart, up):
        raise SystemExit(f"timeline incomplete: {timeline}")
    # What clients saw: the longest time without any acknowledgement while the load ran, and
    # how soon after the restart was issued writes were acknowledged and readiness was green.
    ack_times = sorted(r["acked_at"] for r in acked)
    gaps = [b - a for a, b in zip([load["started"]] + ack_times, ack_times + [load["stop_at"]]) if a < load["stop_at"]]
    first_ack_after = first(ack_times, lambda t: t >= restart)
    ready_after = first(probes, lambda p: p["t"] >= restart and p["ready"] == 200)
    ready_red = first(probes, lambda p: p["t"] >= fault and p["ready"] != 200)
    ready_green_again = ready_red and first(probes, lambda p: p["t"] > ready_red["t"] and p["ready"] == 200)

    # Readiness while the fault lasted: probes wholly between t_down and t_restart.
    inside = [p for p in probes if p["t"] >= down and p["done"] <= restart]
    ready_green_inside = sum(p["ready"] == 200 for p in inside)
    live_inside = sum(p["live"] == 200 for p in inside)
    live_not_200 = sum(p["live"] != 200 for p in probes)

    projections_caught_up = wait_for_projections(args.psql, 15)

    r2 = lambda x: None if x is None else round(x, 2)
    summary = {
        "scenario": args.scenario,
        "run": run,
        "at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": timeline.get("commit", "?"),
        "writers": load["writers"],
        "load_seconds": r2(load["stop_at"] - load["started"]),
        "requests": len(requests),
        "acknowledged": len(acked),
        "never_acknowledged": len(never),
        "rejected": len(rejected),
        "requests_retried": len(retried),
        "retries": sum(r["attempts"] - 1 for r in requests),
        "acknowledged_by_replay": len(replayed),
        "resent_after_ack": len(resent),
        "resend_answer_differs": len(resend_mismatch),
        "resend_details": [{"key": r["key"], "answer": r.get("resend", "none before the deadline"),
                            "outcomes": r["resend_outcomes"]} for r in resend_mismatch[:5]],
        "stored": sum(n for n, _ in stored.values()),
        "stored_unacknowledged": len(stored_unacked),
        "lost": len(set(lost) | set(lost_api)),
        "duplicated": len(set(duplicated) | set(duplicated_api)),
        "ack_id_mismatch": len(wrong_id),
        "unexpected": len(unexpected),
        "version_mismatch": version_mismatch,
        "stop_seconds": r2(down - fault),
        "down_seconds": r2(restart - down),
        "start_seconds": r2(up - restart),
        "longest_ack_gap": r2(max(gaps) if gaps else None),
        "ready_after_restart": r2(ready_after["t"] - restart) if ready_after else None,
        "first_ack_after_restart": r2(first_ack_after - restart) if first_ack_after else None,
        "ready_not_200_seconds": r2(ready_green_again["t"] - ready_red["t"]) if ready_green_again else None,
        "probes_during_fault": len(inside),
        "ready_200_during_fault": ready_green_inside,
        "live_200_during_fault": live_inside,
        "live_not_200_whole_run": live_not_200,
        "projections_caught_up": projections_caught_up,
        "client_errors": count_outcomes(requests),
    }
    if "service_pid_same" in timeline:
        summary["service_pid_same"] = timeline["service_pid_same"] == "yes"

    failures = []
    if summary["lost"]: failures.append("acknowledged writes lost")
    if summary["duplicated"]: failures.append("writes applied twice")
    if summary["ack_id_mismatch"]: failures.append("acknowledged comment id differs from the stored one")
    if summary["resend_answer_differs"]: failures.append("a resent key did not get the first answer")
    if summary["unexpected"]: failures.append("stored comments nobody sent")
    if summary["rejected"]: failures.append("requests rejected (4xx)")
    if summary["never_acknowledged"]: failures.append("writes still failing after the drain period")
    if summary["version_mismatch"]: failures.append("item version differs from its event count")
    if load.get("stuck_writers"): failures.append("writer threads stuck")
    if first_ack_after is None: failures.append("no write acknowledged after the restart")
    if ready_after is None: failures.append("readiness never green after the restart")
    if projections_caught_up is None: failures.append("async projections did not catch up")
    if not inside: failures.append("no probe while the fault lasted")
    if ready_green_inside: failures.append("readiness green while the fault lasted")
    if args.scenario.startswith("restart-postgres"):
        if live_not_200: failures.append("liveness not 200 while only PostgreSQL was down")
        if not summary.get("service_pid_same"): failures.append("the service process did not survive")
    summary["pass"] = not failures
    summary["failures"] = failures
    print(json.dumps(summary))
    if args.record:
        record(args.record, summary)
    return 0 if not failures else 1


def count_outcomes(requests):
    counts = {}
    for r in requests:
        for outcome, n in r["outcomes"].items():
            if outcome != "201":
                counts[outcome] = counts.get(outcome, 0) + n
    return counts


ROW_HEADER = ("| date (UTC) | commit | requests | acknowledged | retried (attempts) | acked by replay | resent, same answer "
              "| stored | lost | duplicated | stop / down / start | longest gap in acks | ready after start | first ack after start "
              "| readiness during fault | result |\n"
              "|" + " --- |" * 16 + "\n")
KEEP_ROWS = 6


def record(doc, s):
    """Appends a row to the table between this scenario's markers in DOC (the last KEEP_ROWS stay)."""
    begin, end = f"<!-- fault:{s['scenario']}:begin -->", f"<!-- fault:{s['scenario']}:end -->"
    with open(doc) as f:
        text = f.read()
    if begin not in text or end not in text:
        text = text.rstrip("\n") + f"\n\n### {s['scenario']}\n\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    body, tail = rest.split(end, 1)
    rows = [line for line in body.splitlines() if line.startswith("| 20")]
    live = "" if s["scenario"] == "kill-service" else f", live 200 in {s['live_200_during_fault']}"
    during = f"{s['probes_during_fault']} probes: ready 200 in {s['ready_200_during_fault']}{live}"
    sec = lambda x: "-" if x is None else f"{x} s"
    result = "pass" if s["pass"] else "FAIL: " + "; ".join(s["failures"])
    rows.append(f"| {s['at'][:16].replace('T', ' ')} | {s['commit']} | {s['requests']} | {s['acknowledged']} "
                f"| {s['requests_retried']} ({s['retries']}) | {s['acknowledged_by_replay']} "
                f"| {s['resent_after_ack'] - s['resend_answer_differs']} of {s['resent_after_ack']} "
                f"| {s['stored']} | {s['lost']} | {s['duplicated']} "
                f"| {s['stop_seconds']} / {s['down_seconds']} / {s['start_seconds']} s | {sec(s['longest_ack_gap'])} "
                f"| {sec(s['ready_after_restart'])} | {sec(s['first_ack_after_restart'])} | {during} | {result} |")
    body = "\n" + ROW_HEADER + "\n".join(rows[-KEEP_ROWS:]) + "\n"
    with open(doc, "w") as f:
        f.write(head + begin + body + end + tail)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    r = sub.add_parser("report")
    for p in (w, r):
        p.add_argument("--base", required=True)
        p.add_argument("--tokens", required=True, help="lines of 'sub token', one per writer")
        p.add_argument("--dir", required=True)
    w.add_argument("--writers", type=int, default=8)
    w.add_argument("--items", type=int, default=4)
    w.add_argument("--seconds", type=float, default=20)
    w.add_argument("--drain", type=float, default=20)
    w.add_argument("--run")
    r.add_argument("--scenario", required=True)
    r.add_argument("--record", help="docs/reliability.md: append this run's row")
    r.add_argument("--psql", nargs=argparse.REMAINDER, required=True, help="psql command line (last option)")
    args = parser.parse_args()
    sys.exit(cmd_write(args) if args.command == "write" else cmd_report(args))


if __name__ == "__main__":
    main()
