"""Helper processes for a big import: they work through a long list's chunks ahead of the
consumer, in order, while the consumer does its own part of the work on the chunks already
done (checking: the forms in a helper, matching and storing in the consumer; applying: the
reading and matching of the next batches in a helper, the writes in the consumer). A
helper that dies, or cannot even start, costs only time: the consumer does the chunks it
did not."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger(__name__)


def in_order(chunks: Sequence[T], processes: int, helped: Callable[[T], R],
             here: Callable[[T], R], started: Callable[..., None], initargs: tuple = (),
             ahead: int = 4, instead: str = "the consumer does its work instead",
             ) -> Generator[R, None, None]:
    """helped(chunk) for each chunk, in order, by `processes` helper processes (spawned
    afresh: no copy of the consumer's threads; each runs started(*initargs) first), at
    most `ahead` chunks a process ahead of the caller. here(chunk) does in this process
    what the helpers did not (none asked, or one died)."""
    done = 0
    if processes > 0 and chunks:
        pool = ProcessPoolExecutor(max_workers=processes, initializer=started,
                                   initargs=initargs,
                                   mp_context=multiprocessing.get_context("spawn"))
        pending: deque = deque()
        waiting = iter(chunks)
        try:
            while True:
                while len(pending) < ahead * processes and (
                        chunk := next(waiting, None)) is not None:
                    pending.append(pool.submit(helped, chunk))
                if not pending:
                    return
                result = pending.popleft().result()
                yield result
                done += 1
        except (BrokenProcessPool, OSError):  # it died, or could not be started
            log.warning("an import's helper process stopped; %s", instead)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    for chunk in chunks[done:]:
        yield here(chunk)


def lowest_priority() -> None:
    """A helper runs after the web's pages and the consumer's own work."""
    os.nice(19)
