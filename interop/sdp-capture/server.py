"""Serves the capture pages and records what they POST (used by scripts/capture-sdp.sh).

usage: server.py PORT OUTPUT_DIR
  GET  /index.html, /accept.html     the pages in this folder
  POST /save/<name>.sdp              index.html: save a captured SDP into OUTPUT_DIR
  GET  /offers/                      accept.html: JSON list of OUTPUT_DIR/*-offer.sdp
  GET  /offers/<name>.sdp            accept.html: one of them
  POST /accept/<name>.sdp            accept.html: print "accept <name>: <ok|rejected: why>"
  POST /done                         stop serving
Exits after POST /done, or after 60 seconds whatever happens.
"""

import http.server
import json
import os
import re
import sys
import threading

PORT = int(sys.argv[1])
OUT = sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
NAME = r"([a-z0-9-]+\.sdp)"


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=HERE, **kwargs)

    def log_message(self, *args):
        pass

    def reply(self, body, kind):
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/offers/":
            names = sorted(n for n in os.listdir(OUT) if n.endswith("-offer.sdp"))
            return self.reply(json.dumps(names).encode(), "application/json")
        m = re.match(r"^/offers/" + NAME + "$", self.path)
        if m:
            with open(os.path.join(OUT, m.group(1)), "rb") as f:
                return self.reply(f.read(), "application/sdp")
        return super().do_GET()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        save = re.match(r"^/save/" + NAME + "$", self.path)
        accept = re.match(r"^/accept/" + NAME + "$", self.path)
        if save:
            with open(os.path.join(OUT, save.group(1)), "wb") as f:
                f.write(body)
        elif accept:
            print("accept", accept.group(1) + ":", body.decode(errors="replace"), flush=True)
        elif self.path == "/done":
            print("page finished:", body.decode(errors="replace"), flush=True)
            threading.Thread(target=self.server.shutdown).start()
        else:
            self.send_error(404)
            return
        self.send_response(204)
        self.end_headers()


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
watchdog = threading.Timer(60, server.shutdown)
watchdog.daemon = True
watchdog.start()
server.serve_forever()
