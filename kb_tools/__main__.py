from kb_tools.cli import main

raise SystemExit(main())
