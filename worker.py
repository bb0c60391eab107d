"""The RQ worker: builds the app once and runs the mail and documents queues.

python worker.py            # uses REDIS_URL and DATABASE_URL
python worker.py --burst    # process what is queued, then exit
"""

from __future__ import annotations

import argparse
import sys

from redis import Redis
from rq import Queue, Worker

from app import create_app

QUEUES = ("mail", "documents", "default")


class AppWorker(Worker):
    """An RQ worker whose jobs run inside the Flask app context, with a fresh DB session each."""

    flask_app = None

    def run_maintenance_tasks(self):
        """RQ's own housekeeping, then the outbox sweep (dead workers' claims, due retries)."""
        super().run_maintenance_tasks()
        from app.extensions import db
        from app.mail.services import sweep_outbox

        with self.flask_app.app_context():
            try:
                sweep_outbox()
            except Exception:
                self.log.exception("outbox sweep failed")
            finally:
                db.session.remove()

    def perform_job(self, job, queue, *args, **kwargs):
        from app.extensions import db

        with self.flask_app.app_context():
            # The work horse is a forked child: never reuse the parent's pooled connections.
            db.engine.dispose(close=False)
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
    connection = Redis.from_url(url)
    # Load fonts and templates once in the parent so every forked job starts warm.
    from app.documents.render import warm_up

    warm_up()
    AppWorker.flask_app = app
    worker = AppWorker(
        [Queue(name, connection=connection) for name in args.queues], connection=connection
    )
    worker.work(burst=args.burst, with_scheduler=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
