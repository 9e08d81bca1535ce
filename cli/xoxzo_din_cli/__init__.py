"""xoxzo-din: the operators' command line tool (docs/how-to/operator-tool.md). Not in the layer."""
