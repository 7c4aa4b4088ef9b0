#!/bin/sh
# shuf2.sh — the upstream sources linked with every object's .data and .bss
# in a shuffled order, seed 2 (shuffle.inc).
SEED=2
. "$(dirname "$0")/shuffle.inc"
