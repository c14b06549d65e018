"""The web server: an index of every brochure, a preview page per brochure, and live updates.

Safe by default: it listens on 127.0.0.1, answers only requests whose Host header names
this machine (a web page elsewhere cannot reach it by DNS rebinding), serves only the
previews it made (found by their name in its own table, never by a path taken from the
URL) and has no endpoint that writes anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import shutil
import socket
import tempfile
import webbrowser
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.status import HTTP_404_NOT_FOUND

from brochure.content.project import load_project
from brochure.engine import default_workers
from brochure.errors import ContentError, UsageError
from brochure.safefile import Refused, read_inside
from brochure.serve import pages
from brochure.serve.builder import Builder
from brochure.serve.hosts import listen_host
from brochure.serve.watcher import watch

LOCAL_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                               "script-src 'unsafe-inline'; connect-src 'self'; "
                               "frame-ancestors 'none'",
}
PING_SECONDS = 15.0
READ_SECONDS = 10.0  # a file read for a page (off the event loop) that takes longer fails
STORE_LIMIT = 512 * 1024 * 1024  # a preview's PDF or image, from the server's own folder


def allowed_hosts(host: str) -> list[str]:
    """Return the Host header values to answer: this machine's local names and ``host``."""
    names = [*LOCAL_NAMES, host]
    if host in ("0.0.0.0", "::", ""):  # every interface: the machine's own names too
        names += [socket.gethostname(), socket.getfqdn()]
    return list(dict.fromkeys(names))


def _not_found() -> Response:
    return HTMLResponse("<!doctype html><title>Not found</title><p>Not found.</p>",
                        status_code=404, headers=HEADERS)


async def _read(read: Callable[[], bytes]) -> bytes | str:
    """Run a bounded file read in a thread, so a large or slow file never stalls the server.

    Return the bytes, or why the file is not shown.
    """
    try:
        return await asyncio.wait_for(asyncio.to_thread(read), READ_SECONDS)
    except Refused as exc:
        return exc.reason
    except TimeoutError:
        return f"reading the file took over {READ_SECONDS:g} s"
    except OSError as exc:
        return exc.strerror or str(exc)


async def _file(path: Path, store: Path, media_type: str, headers: dict[str, str]) -> Response:
    """Return a file the server made; one removed meanwhile (a newer build) is not found."""
    data = await _read(lambda: read_inside(path, (store,), limit=STORE_LIMIT))
    if isinstance(data, str):
        return _not_found()
    return Response(data, media_type=media_type, headers=headers)


def create_app(builder: Builder, *, host: str, should_exit: Callable[[], bool],
               store: Path) -> Starlette:
    """Return the Starlette application over ``builder``."""
    stop = asyncio.Event()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        builder.refresh()
        watcher = asyncio.get_running_loop().create_task(
            watch(builder.root, builder.refresh, stop))
        try:
            yield
        finally:
            stop.set()
            await builder.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(watcher, 5)
            shutil.rmtree(store, ignore_errors=True)

    async def index(request: Request) -> Response:
        return HTMLResponse(pages.index(builder), headers=HEADERS)

    async def preview(request: Request) -> Response:
        item = builder.look(request.path_params["key"])
        if item is None:
            return _not_found()
        return HTMLResponse(pages.preview(builder, item), headers=HEADERS)

    async def page_image(request: Request) -> Response:
        item = builder.look(request.path_params["key"])
        path = builder.image(item, request.path_params["digest"]) if item else None
        if path is None:
            return _not_found()
        # The address names the content, so the browser may keep it for good.
        return await _file(path, store, "image/png",
                     {**HEADERS, "Cache-Control": "max-age=31536000, immutable"})

    async def download(request: Request) -> Response:
        item = builder.look(request.path_params["key"])
        build = request.path_params["build"]
        if item is None or build not in item.builds:
            return _not_found()
        return await _file(builder.folder(build) / item.pdf, store, "application/pdf",
                     {**HEADERS, "Content-Disposition": f'attachment; filename="{item.job.name}"'})

    async def source(request: Request) -> Response:
        path = pages.source_path(builder, request.path_params["ref"])
        if path is None:
            return _not_found()
        # Resolved and checked again now: the file may have been swapped since the link.
        data = await _read(lambda: pages.read_source(builder, path))
        if isinstance(data, str):
            return HTMLResponse(pages.not_shown(builder, path, data),
                                status_code=HTTP_404_NOT_FOUND, headers=HEADERS)
        return HTMLResponse(pages.source(builder, path, data), headers=HEADERS)

    async def events(request: Request) -> Response:
        async def stream() -> AsyncIterator[str]:
            seen, idle = -1, 0.0
            yield "retry: 500\n\n"
            while not should_exit() and not stop.is_set():
                if builder.version != seen:
                    seen, idle = builder.version, 0.0
                    yield f"data: {seen}\n\n"
                # Wake every second to notice a shutting-down server (an open stream would
                # otherwise hold Ctrl-C up until the browser went away).
                await builder.wait(seen, 1.0)
                idle += 1.0
                if idle >= PING_SECONDS:
                    idle = 0.0
                    yield ": ping\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers=HEADERS)

    routes = [
        Route("/", index),
        Route("/b/{key}", preview),
        Route("/b/{key}/page/{digest}.png", page_image),
        Route("/b/{key}/{build:int}/download.pdf", download),
        Route("/source/{ref}", source),
        Route("/events", events),
    ]
    return Starlette(routes=routes, lifespan=lifespan,
                     middleware=[Middleware(TrustedHostMiddleware,
                                            allowed_hosts=allowed_hosts(host))])


def _port_hint(address: str) -> str:
    """Say how to give a port when an IPv6 address looks like one with a port on its end."""
    head, _, tail = address.rpartition(":")
    if ":" not in head or not tail.isdigit():
        return ""
    try:
        ipaddress.ip_address(head)
    except ValueError:
        return ""
    return f" (a port goes in --port: --host {head} --port {tail})"


def _listen(host: str, port: int) -> socket.socket:
    address = listen_host(host)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
            raise UsageError(f"cannot listen on --host {host}: {reason}; give a name or "
                             f"address of this machine, like 127.0.0.1{_port_hint(address)}"
                             ) from None
        shown = f"[{address}]" if ":" in address else address
        raise UsageError(f"cannot listen on {shown}:{port}: {reason}; choose another --port "
                         "(0 picks a free one)") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def run(*, root: Path, host: str, port: int, open_browser: bool,
        on_ready: Callable[[str], None] | None, ignore: tuple[str, ...] = ()) -> None:
    """Serve until Ctrl-C, then stop the workers and remove every file the server made."""
    if not root.is_dir():
        raise UsageError(f"project folder '{root}' does not exist")
    listen_host(host)
    _first_load(root)
    sock = _listen(host, port)
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    url = f"http://{shown}:{bound[1]}/"
    store = Path(tempfile.mkdtemp(prefix="brochure-serve-"))
    server: uvicorn.Server | None = None
    try:
        builder = Builder(root, store, workers=default_workers(), ignore=ignore)
        app = create_app(builder, host=host, store=store,
                         should_exit=lambda: server is not None and server.should_exit)
        config = uvicorn.Config(app, log_level="warning", access_log=False,
                                timeout_graceful_shutdown=5, lifespan="on")
        server = uvicorn.Server(config)

        async def main() -> None:
            assert server is not None
            task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
            while not server.started and not task.done():
                await asyncio.sleep(0.05)
            if server.started:
                if on_ready is not None:
                    on_ready(url)
                if open_browser:
                    webbrowser.open(url)
            await task

        # Uvicorn stops on Ctrl-C and then raises it again; a stop asked for is not an error.
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(main())
    finally:
        sock.close()
        shutil.rmtree(store, ignore_errors=True)


def _first_load(root: Path) -> None:
    """Load the project once before listening: a folder that is no project is a usage error.

    Content errors are not: the server starts and shows them in the browser.
    """
    with contextlib.suppress(ContentError):
        load_project(root)
