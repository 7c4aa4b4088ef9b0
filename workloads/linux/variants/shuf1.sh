#!/bin/sh
# shuf1.sh — the upstream sources linked with every object's .data and .bss
# in a shuffled order, seed 1 (shuffle.inc).
SEED=1
. "$(dirname "$0")/shuffle.inc"
