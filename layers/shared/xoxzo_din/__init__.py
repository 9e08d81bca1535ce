"""Shared code for the XOXZO DIN action server and provisioning functions."""
