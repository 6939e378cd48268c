from gogen.cli import main

main()
