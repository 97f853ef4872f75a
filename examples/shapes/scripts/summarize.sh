#!/bin/sh
# summarize.sh TABLE STATS...: one CSV row per sample, then the mean radius per shape.
set -eu
table=$1
shift
{
    echo "file,points,mean_radius,max_radius"
    for f in "$@"; do
        printf '%s,%s\n' "$f" "$(cat "$f")"
    done
} > "$table"
awk -F, 'NR > 1 { split($1, p, "/"); s[p[3]] += $3; c[p[3]]++ }
         END { for (k in s) printf "%s mean radius %.4f over %d samples\n", k, s[k] / c[k], c[k] }' "$table" | sort
