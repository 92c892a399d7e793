"""Messages that leave the site: SMS and e-mail, through one queue (the ``Message`` table).

A caller queues a message inside its own transaction (``services.sms_queue``,
``services.email_queue``): a change that rolls back sends nothing. Messages are sent after
the commit when the way out is cheap (a file, a local mail backend), otherwise by the
scheduler (``manage.py scheduler``), which also retries failures with backoff until a final
"failed". The SMS way out is chosen by ``GRIDGOV_SMS_URL`` (``backends.py``); e-mail goes
through Django's ``EMAIL_BACKEND``.

This app knows phone numbers, e-mail addresses and texts, never a domain model: the apps
above it decide who hears of what and in which words (gridgov.notices)."""
