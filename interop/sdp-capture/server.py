"""Serves index.html and saves the SDPs it POSTs (used by scripts/capture-sdp.sh).

usage: server.py PORT OUTPUT_DIR
Exits after POST /done, or after 60 seconds whatever happens.
"""

import http.server
import os
import re
import sys
import threading

PORT = int(sys.argv[1])
OUT = sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
NAME = re.compile(r"^/save/([a-z0-9-]+\.sdp)$")


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=HERE, **kwargs)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        m = NAME.match(self.path)
        if m:
            with open(os.path.join(OUT, m.group(1)), "wb") as f:
                f.write(body)
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
