"""Watch the project's content folders and refresh the previews when a file changes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

CONTENT_FOLDERS = ("handouts", "styles", "templates", "assets")
STEP_MS = 50  # saves closer together than this are taken as one


def content_folders(root: Path) -> tuple[Path, ...]:
    """Return the content folders of ``root`` that exist now."""
    return tuple(root / name for name in CONTENT_FOLDERS if (root / name).is_dir())


async def watch(root: Path, refresh: Callable[[], None], stop: asyncio.Event, *,
                step_ms: int = STEP_MS) -> None:
    """Call ``refresh`` after every change under the content folders until ``stop`` is set.

    Changes that come within ``step_ms`` of each other are taken together (watchfiles
    waits that long for the next one), so an editor's quick saves cause one refresh. A
    content folder that appears later (a new assets/) is watched from then on: the folders
    are looked at once a second, and the watch starts again when they change.
    """
    from watchfiles import awatch

    while not stop.is_set():
        folders = content_folders(root)
        this_round = asyncio.Event()

        async def poll(folders: tuple[Path, ...] = folders,
                       this_round: asyncio.Event = this_round) -> None:
            while not stop.is_set() and content_folders(root) == folders:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)
            this_round.set()

        poller = asyncio.get_running_loop().create_task(poll())
        try:
            if folders:
                async for _ in awatch(*folders, stop_event=this_round, step=step_ms,
                                      rust_timeout=1000):
                    refresh()
            else:
                await this_round.wait()
        finally:
            poller.cancel()
        if not stop.is_set():
            refresh()  # a folder came or went
