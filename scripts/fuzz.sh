#!/usr/bin/env bash
# fuzz.sh — `make fuzz`: build the libFuzzer targets of fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined) against the library sources, then run
# each for FUZZ_SECONDS (default 60) from its committed seed corpus
# (fuzz/corpus/<target>/, read-only; new inputs go to build/fuzz/corpus/).
# A crash leaves its input in build/fuzz/crashes/ and fails the run; turn it
# into a regression test (tests/unit) and a seed file before fixing it.
#   FUZZ_SECONDS=60  FUZZ_TARGETS="fuzz_money fuzz_query"  FUZZ_JOBS=1
# Not fuzzed yet: the CSV importer (it does not exist yet; add fuzz_csv_import.c with it).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"fuzz_json_body fuzz_query fuzz_placeholders fuzz_money fuzz_import"}
CC_FUZZ=${CC_FUZZ:-clang}
command -v "$CC_FUZZ" >/dev/null || { echo "fuzz: clang missing (make deps)" >&2; exit 1; }

PKGS=$(sed -n 's/^PKGS *:= *//p' Makefile)
FLAGS="-std=c17 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -g -O1 -fno-omit-frame-pointer -Isrc -Ibuild/gen -pthread
       -fsanitize=address,undefined -fno-sanitize-recover=undefined $(pkg-config --cflags $PKGS)"
OBJ=build/fuzz/obj
mkdir -p "$OBJ" build/fuzz/crashes
make -s build/gen/migrations.c build/gen/common_passwords.c

# the library, instrumented for coverage (fuzzer-no-link), once per source change
objs=()
for src in $(ls src/core/*.c src/db/*.c src/http/*.c src/model/*.c src/flow/*.c src/modules/*.c) build/gen/migrations.c build/gen/common_passwords.c; do
  o=$OBJ/$(echo "$src" | tr / _).o
  if [[ ! -f $o || $src -nt $o || -n $(find src -name '*.h' -newer "$o" 2>/dev/null | head -1) ]]; then
    $CC_FUZZ $FLAGS -fsanitize=fuzzer-no-link -c -o "$o" "$src" &
    while (( $(jobs -r | wc -l) >= 2 )); do wait -n; done
  fi
  objs+=("$o")
done
wait
rm -f "$OBJ/lib.a"; ar rcs "$OBJ/lib.a" "${objs[@]}"

fail=0
for t in $TARGETS; do
  $CC_FUZZ $FLAGS -fsanitize=fuzzer -o "build/fuzz/$t" "fuzz/$t.c" "$OBJ/lib.a" $(pkg-config --libs $PKGS) -lm -pthread
  mkdir -p "build/fuzz/corpus/$t" "fuzz/corpus/$t"
  echo "== $t (${SECS}s)"
  if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
       "build/fuzz/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="build/fuzz/crashes/$t-" "build/fuzz/corpus/$t" "fuzz/corpus/$t" >"build/fuzz/$t.log" 2>&1; then
    echo "fuzz: $t FAILED — see build/fuzz/$t.log and build/fuzz/crashes/" >&2
    grep -m5 -E "ERROR|SUMMARY|deadly" "build/fuzz/$t.log" >&2 || true
    fail=1
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "build/fuzz/$t.log" | tr '\n' ' '; echo
  fi
done
exit $fail
