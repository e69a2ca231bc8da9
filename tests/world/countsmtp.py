#!/usr/bin/env python3
"""A counting SMTP server for the politeness tests (python3 stdlib, asyncio).

usage: countsmtp.py --log FILE --ready FILE ADDR=MODE ...

Listens on port 25 of every ADDR and appends one JSON line per connection to FILE when
it ends: {"addr": dialled address, "accept": t, "close": t, "n": ordinal of this
connection on that address, "mode": ...}; times are time.time() of this process, so only
differences between them mean anything. MODE:

  normal      "220" after HOLD seconds (so that connections last long enough for overlap
              to be visible), EHLO without STARTTLS, QUIT -> "221" and close
  421first    odd-numbered connections (1st, 3rd, ...) get "421 4.7.0 Too busy, try later"
              and are closed; even-numbered ones behave as normal
  closefirst  odd-numbered connections are closed at once without a greeting
  silent      accept and never send anything (a tarpit); logged when the client gives up
"""
import argparse
import asyncio
import json
import os
import sys
import time

HOLD = 0.3


class Server:
    def __init__(self, log):
        self.log = open(log, "a", buffering=1)
        self.count = {}

    def record(self, addr, t0, mode, n):
        self.log.write(json.dumps({"addr": addr, "accept": t0, "close": time.time(),
                                   "n": n, "mode": mode}) + "\n")

    async def handle(self, reader, writer, mode):
        t0 = time.time()
        addr = writer.get_extra_info("sockname")[0]
        n = self.count[addr] = self.count.get(addr, 0) + 1
        try:
            if mode == "silent":
                while await reader.read(4096):
                    pass
                return
            if mode == "closefirst" and n % 2 == 1:
                return
            if mode == "421first" and n % 2 == 1:
                writer.write(b"421 4.7.0 Too busy, try later\r\n")
                await writer.drain()
                return
            await asyncio.sleep(HOLD)
            writer.write(b"220 count.mxlab ESMTP\r\n")
            await writer.drain()
            while True:
                line = await asyncio.wait_for(reader.readline(), 30)
                if not line:
                    return
                cmd = line.strip().upper()
                if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
                    writer.write(b"250-count.mxlab\r\n250 PIPELINING\r\n")
                elif cmd == b"QUIT":
                    writer.write(b"221 2.0.0 Bye\r\n")
                    await writer.drain()
                    return
                else:
                    writer.write(b"502 5.5.2 Not implemented\r\n")
                await writer.drain()
        except (OSError, asyncio.TimeoutError):
            pass
        finally:
            # logged when this side is done: the close time is when the server let go
            self.record(addr, t0, mode, n)
            try:
                writer.close()
            except OSError:
                pass


async def main(args):
    srv = Server(args.log)
    servers = []
    for spec in args.addrs:
        addr, mode = spec.split("=", 1)
        s = await asyncio.start_server(lambda r, w, m=mode: srv.handle(r, w, m), addr, 25,
                                       reuse_address=True, backlog=256)
        servers.append(s)
    with open(args.ready, "w") as f:
        f.write("%d\n" % os.getpid())
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("addrs", nargs="+")
    try:
        asyncio.run(main(ap.parse_args()))
    except KeyboardInterrupt:
        sys.exit(0)
