"""``python -m strongroom.sandbox.wait PORT [SECONDS]``: wait until the sandbox gateway
accepts connections on localhost (``make run`` starts it in the background first)."""

from __future__ import annotations

import socket
import sys
import time


def main(argv: list[str]) -> int:
    port = int(argv[0]) if argv else 8444
    deadline = time.monotonic() + (float(argv[1]) if len(argv) > 1 else 15.0)
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return 0
        time.sleep(0.2)
    print(f"the sandbox gateway did not start on port {port}: demo orders are marked paid "
          "without it", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
