"""Background jobs: the task runner (django-tasks with its database backend, ADR 0034), the
worker with its heartbeat and crash recovery, periodic jobs, and long exports run as jobs with
their progress on /jobs/."""
