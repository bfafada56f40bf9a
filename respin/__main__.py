from respin.cli import entry

entry()
