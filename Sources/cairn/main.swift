import CairnCommandLine

// The `cairn` command line; everything it does is in CairnCommandLine (commands, output) and
// CairnRun (sessions).
CairnRoot.main()
