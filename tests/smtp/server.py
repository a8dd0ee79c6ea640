#!/usr/bin/env python3
"""A real SMTP server on loopback for duban's tests (aiosmtpd).

    server.py --port PORT --dir DIR [--auth USER:PASSWORD] [--starttls|--smtps CERT KEY]

Each accepted message is written to DIR/new/<n>.eml, with the envelope prepended as
X-MailFrom / X-RcptTo headers. Failures can be injected while it runs:
  DIR/reply  its first line ("451 4.3.0 try later", "550 5.1.1 no such user") is the reply to
             DATA instead of accepting the message;
  DIR/delay  DATA waits that many seconds before replying;
  DIR/hold   each accepted message, once written, creates DIR/held and waits until it is gone
             before replying 250: the test does something (breaks the client's database
             connection) between the server's accepting a mail and the client's hearing so.
With --auth, every client must log in (AUTH PLAIN or LOGIN) with that user and password; a
wrong one gets 535 (and, with TLS, only after STARTTLS). With --starttls every client must
say STARTTLS before anything else; with --smtps the connection is TLS from its first byte; the
certificate (a PEM chain) and key are the files given. Prints "ready" once it listens; stops on
SIGTERM or when stdin closes.
"""
import argparse
import asyncio
import os
import pathlib
import signal
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Handler:
    def __init__(self, root):
        self.root = root
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        delay = self.root / "delay"
        if delay.exists():
            await asyncio.sleep(float(delay.read_text().strip() or "0"))
        reply = self.root / "reply"
        if reply.exists():
            text = reply.read_text().strip()
            if text:
                return text.splitlines()[0]
        self.count += 1
        name = f"{time.time_ns()}-{self.count}.eml"
        head = f"X-MailFrom: {envelope.mail_from}\r\nX-RcptTo: {', '.join(envelope.rcpt_tos)}\r\n"
        data = envelope.original_content or envelope.content
        temporary = self.root / "tmp" / name
        temporary.write_bytes(head.encode() + data)
        os.replace(temporary, self.root / "new" / name)
        if (self.root / "hold").exists():
            held = self.root / "held"
            held.write_text(name)
            while held.exists():
                await asyncio.sleep(0.02)
        return "250 2.0.0 OK: queued as " + name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--auth")
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()
    root = pathlib.Path(args.dir)
    (root / "new").mkdir(parents=True, exist_ok=True)
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    options = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode() == user and auth_data.password.decode() == password)
            # handled=False: the server itself answers 235 or 535.
            return AuthResult(success=ok, handled=False)

        options = dict(authenticator=authenticator, auth_required=True,
                       # (A connection TLS from its first byte is not seen as TLS by aiosmtpd.)
                       auth_require_tls=bool(args.starttls))

    def context(cert, key):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        return ctx

    if args.starttls:
        options.update(tls_context=context(*args.starttls), require_starttls=True)
    if args.smtps:
        options.update(ssl_context=context(*args.smtps))
    controller = Controller(Handler(root), hostname="127.0.0.1", port=args.port,
                            enable_SMTPUTF8=True, **options)
    controller.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    print("ready", flush=True)
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
