"""What the local HTTP stand-ins (ado_server.py, pp_server.py) share: the
threaded server, the handler's plumbing (one answer, one log line a request)
and the way a stand-in starts (its port on stdout) and ends (a lifetime)."""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JSON_TYPE = "application/json; charset=utf-8"
LOG_LOCK = threading.Lock()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default (5) drops connections opened together
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients hanging up (refused bodies, deadlines) are part of the tests.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, TimeoutError)):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    json_type = JSON_TYPE  # what "json" means in send(); a service may add parameters
    # Headers and body go out in two writes; with Nagle on, the second waits
    # for the client's delayed ACK (40 ms), which would dwarf the latency.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def send(self, status, body=b"", ctype="json", headers=None):
        """One whole answer: `body` (bytes, text, or a dict or list sent as
        JSON); `ctype` None sends no Content-Type."""
        if ctype == "json":
            ctype = self.json_type
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
        elif isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def append_log(self, entry):
        """One JSON line of `entry` in the --log file, when there is one."""
        log = self.server.args.log
        if not log:
            return
        with LOG_LOCK:
            with open(log, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")


def serve(server, lifetime):
    """Prints the port (how a test learns it), then answers until `lifetime`
    seconds have passed, so that a stand-in a test forgot never outlives it."""
    print(server.server_address[1], flush=True)

    def watchdog():
        time.sleep(lifetime)
        os._exit(0)
    threading.Thread(target=watchdog, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    server.stopping = True
