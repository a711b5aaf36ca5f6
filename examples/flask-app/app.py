"""The Flask app of the ECS tutorial: answers GET / on port 3000.

It prints a start-up line and one line per request on stdout (run it with `python3 -u`, or
PYTHONUNBUFFERED=1, so that each line reaches `docker logs` and the awslogs driver at once), and
exits 0 on SIGTERM, as `ecs stop-task` sends it: as PID 1 in a container a Python process with no
handler would ignore SIGTERM and be killed only after the stop timeout.
"""
import logging
import os
import signal
import socket
import sys
from datetime import datetime, timezone

from flask import Flask

try:  # plain request lines in CloudWatch Logs: no ANSI colours from the development server
    import werkzeug.serving as _serving
    _serving._log_add_style = False
except (ImportError, AttributeError):
    pass

APP_NAME = os.environ.get("APP_NAME", "flask-app")
PORT = int(os.environ.get("PORT", "3000"))

app = Flask(__name__)

PAGE = """<!doctype html>
<html>
<head><title>{name}</title></head>
<body>
<h1>Hello from {name}!</h1>
<p>Your application is now running on a container in Amazon ECS (emulated by berth).</p>
<p>Container host name: {host}<br>Time: {now}</p>
</body>
</html>
"""


@app.route("/")
def index():
    return PAGE.format(name=APP_NAME, host=socket.gethostname(),
                       now=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"))


@app.route("/health")
def health():
    return "ok\n", 200, {"Content-Type": "text/plain"}


def _stop(signum, _frame):
    print(f"Received {signal.Signals(signum).name}, shutting down {APP_NAME}", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    # werkzeug logs each request ("GET / HTTP/1.1" 200 -) through the root handler: stdout.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"Serving {APP_NAME} on port {PORT}", flush=True)
    app.run(host="0.0.0.0", port=PORT)
