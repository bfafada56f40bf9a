"""The command layer: one module per ``respin`` command, each only adapting.

A command parses its options (the shared ones into one
:class:`respin.options.FixOptions`, by :func:`respin.commands.options.fix_options`),
calls the library, prints, and leaves through :func:`respin.cli.run_safely`,
which turns the library's typed errors into one line and an exit code. The
logic lives in the library modules; :mod:`respin.cli` loads each command
module only when its command runs.
"""
