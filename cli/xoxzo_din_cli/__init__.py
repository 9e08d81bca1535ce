"""xoxzo-din: the operators' command line tool (docs/how-to/see-what-callers-hear.md). Not in the layer."""
