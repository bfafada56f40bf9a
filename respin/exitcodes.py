"""Exit codes, defined once and listed in ``--help`` and the README."""

OK = 0  # done; for check: no document is spun
CHANGED = 1  # check: some document is spun; batch: some file failed
USAGE = 2  # bad arguments, missing/unreadable/binary/non-UTF-8 input
INTERNAL = 123  # a bug in respin: please report it
INTERRUPTED = 130  # Ctrl-C; a stop signal gives 128 + its number (SIGTERM 143, SIGHUP 129)

HELP = (
    "Exit codes: 0 success; 1 a spun document (check), a change to make (fix --check) "
    "or a failed file (batch); 2 usage or input error; 123 internal error; 130 interrupted (Ctrl-C), 143 SIGTERM, 129 SIGHUP."
)
