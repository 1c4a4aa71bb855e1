"""Background work on one job queue (Huey): `queue` declares tasks, tasks.py holds them."""

from app.jobs.queue import JobQueue

queue = JobQueue()

from app.jobs import tasks  # noqa: E402  (declares the tasks on `queue`)

__all__ = ["queue", "tasks"]
