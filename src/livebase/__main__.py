from livebase.cli import main

main()
