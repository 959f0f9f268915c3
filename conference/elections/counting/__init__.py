"""Counting a single transferable vote election, without Django: stv counts (Scottish STV rules, stage
by stage), blt reads and writes ballots in the BLT format. A reader can run and test both with plain
Python.
"""
