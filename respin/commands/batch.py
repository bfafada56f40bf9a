"""``respin batch``: restore every text file under a folder (:mod:`respin.batch`), or a JSON Lines file."""

from __future__ import annotations

import click

from .. import exitcodes
from ..batch import BatchOptions, run_batch
from ..cli import run_safely
from ..options import FixOptions
from .options import fix_options, reference_dir_option


@click.command("batch", epilog=exitcodes.HELP)
@click.argument("in_dir", type=click.Path())
@click.argument("out_dir", type=click.Path(), required=False)
@click.option("--include", "includes", multiple=True, metavar="GLOB",
              help="Restore files matching GLOB (repeatable). A GLOB with '/' matches the path under IN_DIR, "
                   "else the file name. [default: *.txt]")
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB",
              help="Leave out files and folders matching GLOB (repeatable).")
@click.option("-j", "--jobs", type=int, default=None,
              help="Worker processes [default: the number of CPUs]; 1 works in this process.")
@click.option("--force", is_flag=True, help="Redo every file, even those a previous run finished.")
@click.option("--in-place", is_flag=True, help="Rewrite the files under IN_DIR instead of writing to OUT_DIR.")
@click.option("--backup-suffix", metavar="SUFFIX",
              help="With --in-place: first save each file that changes as FILE+SUFFIX (e.g. .orig).")
@click.option("--report", type=click.Path(dir_okay=False),
              help="Write one JSON line per file to this file: path, status, fixes, error.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary; only failed files.")
@click.option("--field", metavar="NAME",
              help="IN_DIR and OUT_DIR are JSON Lines files: restore this field of each record.")
@click.option("--fixes-key", default="fixes", show_default=True, help="With --field: the key the fixes go under.")
@click.option("--scheduler", metavar="ADDRESS", envvar="DASK_SCHEDULER_ADDRESS",
              help="Restore on the Dask cluster of this scheduler (tcp://HOST:PORT; needs respin[dask]). "
                   "IN_DIR and OUT_DIR may then be fsspec URLs. [env: DASK_SCHEDULER_ADDRESS]")
@click.option("--adapt", is_flag=True,
              help="First learn the spinner's swaps from the input files alone (learn --unsupervised), "
                   "then restore with them added as a table.")
@reference_dir_option
@fix_options
def batch_command(in_dir, out_dir, includes, excludes, jobs, force, in_place, backup_suffix, report, quiet,
                  field, fixes_key, scheduler, adapt, options: FixOptions, verbose, reference_dir=None):
    """Restore every *.txt file under IN_DIR into OUT_DIR, mirroring paths.

    Each output is what `respin fix` gives for its file (an unchanged file is
    copied byte for byte), written atomically. A re-run resumes: it skips
    files restored, with the same settings, from their input as it is now;
    --force redoes all. Files that cannot be read or decoded are reported
    and skipped; the exit code is then 1. A full disk stops the run (exit 2).

    With --field, IN_DIR is a JSON Lines file of records (a crawl dump) and
    OUT_DIR the JSON Lines file to write: see `respin.jsonl`.
    """
    if field is not None:
        from ..batch.records import run_record_batch

        run_safely(lambda: run_record_batch(in_dir, out_dir, field, fixes_key, jobs=jobs, force=force, quiet=quiet,
                                            refused=in_place or bool(report or includes or excludes or backup_suffix or scheduler or adapt),
                                            options=options), verbose)
        return
    batch = BatchOptions(includes, excludes, jobs, force, in_place, backup_suffix, report, quiet, verbose,
                         reference_dir, scheduler, adapt)
    run_safely(lambda: run_batch(in_dir, out_dir, batch, options), verbose)
