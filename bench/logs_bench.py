#!/usr/bin/env python3
"""CloudWatch Logs benchmark, run by hand (never in CI).

Ingests 1,000,000 events through PutLogEvents in batches of 10,000 over one keep-alive HTTP
connection, then times a FilterLogEvents term query over all of them, GetLogEvents pages, and
Logs Insights queries (StartQuery to a Complete GetQueryResults).

    /usr/bin/python3 bench/logs_bench.py [--bin build/berth] [--events 1000000]

Aims (issue 5): ingest > 100,000 events/s, FilterLogEvents term query < 300 ms, GetLogEvents
page < 5 ms; issue 14: a Logs Insights query over 1M events < 1 s. Paste the printed figures into bench/RESULTS.md.
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

TARGET = "Logs_20140328."
AUTH = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, op, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.conn.request("POST", "/", data, {"X-Amz-Target": TARGET + op, "Authorization": AUTH,
                                              "Content-Type": "application/x-amz-json-1.1"})
        resp = self.conn.getresponse()
        out = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{op}: {resp.status} {out[:300]!r}")
        return json.loads(out)


def batch_body(group, stream, first_ts, start, n):
    # Messages look like access-log lines; one in 100 carries the term the query looks for.
    events = []
    for i in range(start, start + n):
        word = "ERROR" if i % 100 == 0 else "INFO"
        events.append({"timestamp": first_ts + i // 10,
                       "message": f"{word} 10.0.{i % 250}.{i % 200} GET /api/items/{i} 200 {i % 5000} req-{i:08d}"})
    return json.dumps({"logGroupName": group, "logStreamName": stream, "logEvents": events}).encode()


def timed(f, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = f()
        out.append((time.perf_counter() - t0) * 1000)
    return out, result


def insights(c, group, first_ts, query):
    """StartQuery, then GetQueryResults every 5 ms until the query is done."""
    qid = c.call("StartQuery", {"logGroupName": group, "startTime": first_ts // 1000 - 10,
                                "endTime": int(time.time()) + 10, "queryString": query})["queryId"]
    while True:
        out = c.call("GetQueryResults", {"queryId": qid})
        if out["status"] not in ("Scheduled", "Running"):
            assert out["status"] == "Complete", out["status"]
            return out
        time.sleep(0.005)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("BERTH_BIN", "build/berth"))
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=10_000)
    args = ap.parse_args()

    data_dir = tempfile.mkdtemp(prefix="berth-logs-bench-")
    port = free_port()
    proc = subprocess.Popen([args.bin, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data_dir,
                             "--log-level", "warn"])
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        c = Client(port)
        group, stream = "/bench/app", "web/app/1"
        c.call("CreateLogGroup", {"logGroupName": group})
        c.call("CreateLogStream", {"logGroupName": group, "logStreamName": stream})
        first_ts = int(time.time() * 1000) - 3_600_000

        # Bodies are built before the clock starts: the figure is berth's, not Python's JSON.
        bodies = [batch_body(group, stream, first_ts, s, args.batch) for s in range(0, args.events, args.batch)]
        body_mb = sum(len(b) for b in bodies) / 1e6
        t0 = time.perf_counter()
        for b in bodies:
            c.call("PutLogEvents", b)
        ingest_s = time.perf_counter() - t0
        rate = args.events / ingest_s
        print(f"ingest: {args.events:,} events in {len(bodies)} PutLogEvents calls ({body_mb:.0f} MB of JSON) "
              f"in {ingest_s:.2f} s = {rate:,.0f} events/s")

        g = c.call("DescribeLogGroups", {"logGroupNamePrefix": group})["logGroups"][0]
        print(f"storedBytes after ingest: {g['storedBytes']:,}")

        term_ms, out = timed(lambda: c.call("FilterLogEvents", {"logGroupName": group, "filterPattern": "ERROR"}), 5)
        print(f"FilterLogEvents term 'ERROR' over {args.events:,} events -> {len(out['events']):,} matches: "
              f"median {statistics.median(term_ms):.0f} ms, best {min(term_ms):.0f} ms")
        rare_ms, out = timed(lambda: c.call("FilterLogEvents", {"logGroupName": group,
                                                                "filterPattern": "req-00500000"}), 5)
        print(f"FilterLogEvents term matching 1 event (scans all): median {statistics.median(rare_ms):.0f} ms, "
              f"{len(out['events'])} match")
        json_ms, out = timed(lambda: c.call("FilterLogEvents", {"logGroupName": group, "limit": 100,
                                                                "filterPattern": "[w, ip, m, path, code = 200, size > 4990, id]"}), 3)
        print(f"FilterLogEvents space-delimited, first 100 matches: median {statistics.median(json_ms):.0f} ms")

        tail_ms, _ = timed(lambda: c.call("GetLogEvents", {"logGroupName": group, "logStreamName": stream,
                                                           "limit": 100}), 50)
        head_ms, _ = timed(lambda: c.call("GetLogEvents", {"logGroupName": group, "logStreamName": stream,
                                                           "limit": 100, "startFromHead": True}), 50)
        mid = c.call("GetLogEvents", {"logGroupName": group, "logStreamName": stream, "limit": 100,
                                      "startTime": first_ts + 50_000, "startFromHead": True})
        tok = mid["nextForwardToken"]
        next_ms, page = timed(lambda: c.call("GetLogEvents", {"logGroupName": group, "logStreamName": stream,
                                                              "limit": 100, "nextToken": tok}), 50)
        assert len(page["events"]) == 100
        full_ms, out = timed(lambda: c.call("GetLogEvents", {"logGroupName": group, "logStreamName": stream}), 5)
        print(f"GetLogEvents page of 100: tail median {statistics.median(tail_ms):.2f} ms, head median "
              f"{statistics.median(head_ms):.2f} ms, mid-stream by token median {statistics.median(next_ms):.2f} ms")
        print(f"GetLogEvents default page ({len(out['events']):,} events, up to 1 MB): median "
              f"{statistics.median(full_ms):.1f} ms")
        for q in ("stats count(*) as n by bin(5m)",
                  'filter @message like "ERROR" | stats count(*) as errors',
                  'parse @message "* * GET * * *" as level, ip, path, code, size | stats avg(size) by code',
                  "fields @timestamp, @message | sort @timestamp desc | limit 20",
                  "fields @timestamp, @message | limit 20"):
            ms, out = timed(lambda: insights(c, group, first_ts, q), 3)
            print(f"Logs Insights `{q}`: {out['statistics']['recordsScanned']:,.0f} scanned, "
                  f"{len(out['results'])} rows: median {statistics.median(ms):.0f} ms, best {min(ms):.0f} ms")
        print(f"database size: {os.path.getsize(os.path.join(data_dir, 'berth.db')) / 1e6:.0f} MB "
              f"(+ WAL {os.path.getsize(os.path.join(data_dir, 'berth.db-wal')) / 1e6 if os.path.exists(os.path.join(data_dir, 'berth.db-wal')) else 0:.0f} MB)")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
