#!/bin/sh
# written by cairn: one array task runs one chunk of cairn-golden-73575736
# SLURM's warning (USR1) must not kill the task before cairn's handler is in place:
# ignored until exec, then cairn installs its handler first thing.
trap '' USR1
exec /work/main/.build/x86_64-unknown-linux-gnu/debug/cairn worker /tmp/cairn-fixtures.JPeBPf/slurm/.cairn/runs/golden --submission cairn-golden-73575736
