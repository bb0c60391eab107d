"""The RQ worker: builds the app once and runs the mail, documents and default queues.

    python worker.py            # uses REDIS_URL and DATABASE_URL; run several for more throughput
    python worker.py --burst    # process what is queued, then exit

Jobs run in this process (RQ's SimpleWorker), not in a child forked per job: the database
pool, the compiled templates and the loaded CJK fonts stay warm from one job to the next,
which is what makes a badge mail take milliseconds instead of a cold start each time. A job
that kills the process is not lost: RQ moves it to the failed registry, and the outbox sweep
(run at start-up and every WORKER_MAINTENANCE_SECONDS) re-queues its mail. When Redis goes
away the worker keeps trying to reconnect (with backoff up to 30 s) instead of exiting.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, SimpleWorker

from app import create_app

QUEUES = ("mail", "documents", "default")


class AppWorker(SimpleWorker):
    """An RQ worker whose jobs run inside the Flask app context, with a fresh DB session each."""

    flask_app = None
    # How long the listener for RQ's commands (kill a job, shut down) waits at a time; RQ's
    # 60 s made ending a worker take a minute whenever the listener had already read the
    # unsubscribe reply: it then waits out its timeout, and RQ waits for it before exiting.
    PUBSUB_WAKE_SECONDS = 1

    def subscribe(self):
        """RQ's subscribe(), with a listener that notices the worker ending within a second."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=self.PUBSUB_WAKE_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )

    def run_maintenance_tasks(self):
        """RQ's own housekeeping, then what the domains contributed: the outbox sweep (dead
        workers' claims, due retries), due reminder mails … (app.contributions)."""
        super().run_maintenance_tasks()
        from app.contributions import maintenance_tasks
        from app.extensions import db

        with self.flask_app.app_context():
            for task in maintenance_tasks(self.flask_app):
                try:
                    task()
                except Exception:
                    self.log.exception("maintenance task %s failed", task.__qualname__)
                    db.session.rollback()
                finally:
                    db.session.remove()

    def perform_job(self, job, queue, *args, **kwargs):
        from app.extensions import db

        with self.flask_app.app_context():
            try:
                return super().perform_job(job, queue, *args, **kwargs)
            finally:
                db.session.remove()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run a worker until stopped (or until the queues are empty)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--queues", nargs="*", default=list(QUEUES))
    args = parser.parse_args(argv)
    app = create_app()
    url = app.config.get("REDIS_URL")
    if not url:
        print("REDIS_URL is not set: without Redis, jobs run inside the web app.", file=sys.stderr)
        return 2
    from app.documents.render import warm_up

    warm_up()
    AppWorker.flask_app = app
    delay = 1.0
    while True:
        connection = Redis.from_url(url)
        worker = None
        started = time.monotonic()
        try:
            worker = AppWorker(
                [Queue(name, connection=connection) for name in args.queues],
                connection=connection,
                maintenance_interval=app.config["WORKER_MAINTENANCE_SECONDS"],
                # An idle worker wakes from its blocking dequeue every worker_ttl - 15 s; RQ's
                # default (420 s) would delay the outbox sweep (mails queued while Redis was
                # down) and the heartbeat /readyz reports by up to 7 minutes.
                worker_ttl=app.config["WORKER_MAINTENANCE_SECONDS"] + 15,
            )
            worker.work(burst=args.burst, with_scheduler=True)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            # RQ retries a lost Redis only while waiting for a job; anywhere else (start-up,
            # maintenance, scheduler lock) it quits. Outlive a Redis restart instead: the
            # outbox sweep at the next start picks up every mail queued meanwhile.
            if args.burst:
                raise
            print(f"Redis unreachable ({exc}); starting again in {delay:.0f} s", file=sys.stderr)
        else:
            # A stop asked for by a signal (RQ notes when) or a finished burst ends the
            # process; RQ quitting by itself after an error starts a new worker.
            if args.burst or worker._shutdown_requested_date is not None:
                return 0
            print("the worker quit after an error; starting again", file=sys.stderr)
        # Between workers a SIGTERM/SIGINT simply ends the process (RQ's handlers are gone).
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if time.monotonic() - started > 60:
            delay = 1.0  # it ran fine for a while: this is a new outage
        time.sleep(delay)
        delay = min(delay * 2, 30.0)


if __name__ == "__main__":
    sys.exit(main())
