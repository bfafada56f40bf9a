from respin.cli import main

main(prog_name="respin")
