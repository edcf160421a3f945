"""A real SMTP server for the browser tests: aiosmtpd (from PyPI) on 127.0.0.1 and a free port,
writing each message it receives to DIR/NNN.eml. Prints `listening on PORT` once it accepts
connections, then serves until it is terminated (or its standard input closes).

Usage: python3 smtp-sink.py DIR
"""

import socket
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    """Writes every message, as received, to its own file."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = self.directory / f"{self.count:03d}.eml"
        partial = name.with_suffix(".part")
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(name)  # a reader never sees half a message
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    directory = Path(sys.argv[1])
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"listening on {port}", flush=True)
    try:
        sys.stdin.read()  # until the test closes our standard input or terminates us
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
