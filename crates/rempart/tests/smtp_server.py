#!/usr/bin/env python3
"""A real SMTP server on loopback for Rempart's e-mail tests (aiosmtpd==1.4.6, installed by
scripts/test.sh).

    python3 smtp_server.py --dir DIR [--port 0] [--transient N] [--transient-at rcpt|data]
                           [--reject ADDRESS]... [--delay SECONDS]

Prints the port it listens on (useful with --port 0, the default) alone on the first line of
stdout, then serves until stdin closes or the process is killed.

Each accepted message is written to DIR as NNNN.eml (the bytes received, CRLF line ends) and
NNNN.json (envelope, headers and the text body as Python's e-mail parser decodes them), the
.json written last, atomically: a test that sees it may read both.

--transient N    answers 451 to the first N RCPT (or DATA, with --transient-at data) commands
--reject ADDRESS answers 550 to RCPT TO:<ADDRESS>
--delay SECONDS  waits before accepting each message's data (widens race windows)
"""

import argparse
import asyncio
import json
import os
import sys
import threading
from email import policy
from email.parser import BytesParser

try:
    from aiosmtpd.controller import Controller
except ImportError:
    sys.stderr.write(
        "aiosmtpd is missing: run scripts/test.sh, or python3 -m pip install 'aiosmtpd==1.4.6'\n"
    )
    sys.exit(3)


class LoopbackController(Controller):
    """aiosmtpd's Controller, able to listen on port 0: the port the system chose is read from
    the listening socket before the controller's own check connects to it."""

    def _trigger_server(self):
        if self.server is not None and self.server.sockets:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Handler:
    def __init__(self, directory, transient, transient_at, rejected, delay):
        self.directory = directory
        self.transient = transient
        self.transient_at = transient_at
        self.rejected = {a.lower() for a in rejected}
        self.delay = delay
        self.lock = threading.Lock()
        self.count = 0

    def _transient_now(self, stage):
        if stage != self.transient_at:
            return False
        with self.lock:
            if self.transient > 0:
                self.transient -= 1
                return True
        return False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 <%s>: mailbox unavailable (test server)" % address
        if self._transient_now("rcpt"):
            return "451 4.3.0 try again later (test server)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self._transient_now("data"):
            return "451 4.3.0 try again later (test server)"
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.count += 1
            n = self.count
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        base = os.path.join(self.directory, "%04d" % n)
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        message = BytesParser(policy=policy.default).parsebytes(raw)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": {k: str(v) for k, v in message.items()},
            "content_type": message.get_content_type(),
            "charset": message.get_content_charset(),
            "body": body.get_content() if body is not None else None,
        }
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=1)
        os.replace(base + ".json.tmp", base + ".json")
        return "250 2.0.0 Message accepted for delivery as %04d" % n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--transient", type=int, default=0)
    parser.add_argument("--transient-at", choices=("rcpt", "data"), default="rcpt")
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    handler = Handler(args.dir, args.transient, args.transient_at, args.reject, args.delay)
    controller = LoopbackController(
        handler, hostname="127.0.0.1", port=args.port, server_hostname="smtp.test"
    )
    controller.start()
    print(controller.port, flush=True)
    try:
        # Serves until the test closes our stdin (or kills us).
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
