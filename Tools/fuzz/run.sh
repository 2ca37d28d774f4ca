#!/usr/bin/env bash
# Builds the libFuzzer harness of the file readers (Sources/Keras/IO) and runs it.
#
#   Tools/fuzz/run.sh build        build only
#   Tools/fuzz/run.sh fuzz         build, then fuzz (the default)
#   Tools/fuzz/run.sh regress      build, then run every input in Tools/fuzz/regressions once
#   Tools/fuzz/run.sh coverage     build with coverage mapping, run the corpora once, report line coverage of IO
#   Tools/fuzz/run.sh FILE...      build, then run the given inputs once (reproduce a crash)
#
# Environment: FUZZ_TIME seconds per worker (600), FUZZ_JOBS parallel workers (1),
# KERAS_FUZZ_MODE one reader only (tar, pickle, npy…; its own working corpus),
# FUZZ_BUILD build and working directory (/tmp/swift-keras-fuzz), FUZZ_ARGS extra libFuzzer flags.
#
# The harness is compiled with swiftc -sanitize=fuzzer,address as one module together with the
# KerasTensor sources, Sources/Keras/KerasError.swift and Sources/Keras/IO/*.swift, so it calls
# the readers' internal byte-level entry points directly; the C of Sources/CKernels and the zlib
# oracle (Tools/fuzz/oracle) are compiled with clang -fsanitize=address. Nothing is written in
# the checkout: the build, the working corpus and the crash artifacts live under $FUZZ_BUILD.
set -euo pipefail
# Crashes go to libFuzzer (artifact, ASan report) rather than to the slow Swift backtracer.
export SWIFT_BACKTRACE=enable=no

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FUZZ="$ROOT/Tools/fuzz"
BUILD=${FUZZ_BUILD:-/tmp/swift-keras-fuzz}
TIME=${FUZZ_TIME:-600}
JOBS=${FUZZ_JOBS:-1}
BIN="$BUILD/keras-fuzz"
COMMAND=${1:-fuzz}

# build OUTPUT FLAGS...: the harness, with the swiftc FLAGS (sanitizers, coverage) for all of it.
build() {
    local output=$1
    shift
    local objdir="$output.obj"
    mkdir -p "$BUILD/modules" "$objdir"
    cat > "$BUILD/modules/module.modulemap" <<EOF
module CKernels {
    umbrella "$ROOT/Sources/CKernels/include"
    export *
}
module FuzzOracle {
    header "$FUZZ/oracle/zlib_oracle.h"
    link "z"
    export *
}
EOF
    local cflags=(-O2 -g)
    [[ " $* " == *address* ]] && cflags+=(-fsanitize=address)
    local objects=()
    for source in "$ROOT"/Sources/CKernels/*.c "$FUZZ"/oracle/*.c; do
        local object
        object="$objdir/$(basename "$source" .c).o"
        clang "${cflags[@]}" -I "$ROOT/Sources/CKernels/include" -c "$source" -o "$object"
        objects+=("$object")
    done
    local sources=()
    while IFS= read -r -d '' source; do sources+=("$source"); done < <(find "$ROOT/Sources/KerasTensor" -name '*.swift' -print0 | sort -z)
    sources+=("$ROOT/Sources/Keras/KerasError.swift" "$ROOT"/Sources/Keras/IO/*.swift "$ROOT"/Sources/Keras/IO/HDF5/*.swift "$FUZZ/FuzzMain.swift")
    swiftc "$@" -parse-as-library -O -g -swift-version 6 -module-name KerasTensor -package-name swift_keras \
        -module-cache-path "$BUILD/module-cache" \
        -Xcc -fmodule-map-file="$BUILD/modules/module.modulemap" -I "$BUILD/modules" \
        -use-ld=lld "${sources[@]}" "${objects[@]}" -ldl -lz -o "$output"
}

# Seeds: the fixtures of Tests/Fixtures/numpy and hdf5 with the mode byte in front, and Tools/fuzz/corpus.
seeds() {
    local out="$BUILD/seeds"
    rm -rf "$out"
    mkdir -p "$out"
    local fixtures="$ROOT/Tests/Fixtures/numpy"
    seed() { { printf "\\x$1"; cat "$2"; } > "$out/$1-$(basename "$2")"; }
    for f in "$fixtures"/*; do
        case "$(basename "$f")" in
            *.npy) seed 00 "$f" ;;
            *.npz) seed 01 "$f" ;;
            *.gz) seed 05 "$f"; seed 02 "$f" ;;
            *.zlib) seed 06 "$f" ;;
            *.deflate) seed 04 "$f"; seed 03 "$f" ;;
            *idx*|*ubyte*) seed 02 "$f" ;;
        esac
    done
    # The CIFAR fixtures: their tars (0x0a) and the pickles inside and beside them (0x0b).
    local datasets="$ROOT/Tests/Fixtures/datasets" unpacked="$BUILD/unpacked"
    rm -rf "$unpacked"
    mkdir -p "$unpacked"
    for f in "$datasets"/*.tar.gz; do
        gzip -dc "$f" > "$unpacked/$(basename "$f" .gz)"
        seed 0a "$unpacked/$(basename "$f" .gz)"
        tar -xzf "$f" -C "$unpacked"
    done
    for f in "$datasets"/*.pkl "$unpacked"/cifar-*/*; do seed 0b "$f"; done
    for f in "$ROOT"/Tests/Fixtures/hdf5/*.h5; do seed 0c "$f"; done
}

common_flags=(-timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 -dict="$FUZZ/keras.dict")

case "$COMMAND" in
    coverage) ;;
    *) build "$BIN" -sanitize=fuzzer,address ;;
esac
case "$COMMAND" in
    build) ;;
    fuzz)
        seeds
        corpus="$BUILD/corpus${KERAS_FUZZ_MODE:+-$KERAS_FUZZ_MODE}"
        mkdir -p "$corpus" "$BUILD/artifacts"
        cd "$BUILD"
        # shellcheck disable=SC2086
        "$BIN" "${common_flags[@]}" -max_total_time="$TIME" -print_final_stats=1 \
            -jobs="$JOBS" -workers="$JOBS" -artifact_prefix="$BUILD/artifacts/" ${FUZZ_ARGS:-} \
            "$corpus" "$BUILD/seeds" "$FUZZ/corpus"
        ;;
    regress)
        "$BIN" "${common_flags[@]}" "$FUZZ"/regressions/*
        ;;
    coverage)
        # Line coverage of Sources/Keras/IO by the working corpus, the seeds and the regressions.
        build "$BUILD/keras-fuzz-cov" -sanitize=fuzzer -profile-generate -profile-coverage-mapping
        rm -rf "$BUILD/profiles"
        mkdir -p "$BUILD/profiles" "$BUILD/corpus"
        seeds
        LLVM_PROFILE_FILE="$BUILD/profiles/%p.profraw" "$BUILD/keras-fuzz-cov" "${common_flags[@]}" -runs=0 \
            "$BUILD/corpus" "$BUILD/seeds" "$FUZZ/corpus" "$FUZZ/regressions" 2>&1 | grep -E "INITED|DONE" || true
        tools=$(dirname "$(command -v swiftc)")
        "$tools/llvm-profdata" merge -sparse "$BUILD"/profiles/*.profraw -o "$BUILD/coverage.profdata"
        "$tools/llvm-cov" report "$BUILD/keras-fuzz-cov" -instr-profile="$BUILD/coverage.profdata" "$ROOT"/Sources/Keras/IO/*.swift "$ROOT"/Sources/Keras/IO/HDF5/*.swift
        echo "Uncovered lines: $tools/llvm-cov show $BUILD/keras-fuzz-cov -instr-profile=$BUILD/coverage.profdata" \
            "$ROOT/Sources/Keras/IO/NAME.swift"
        ;;
    *)
        "$BIN" "${common_flags[@]}" "$@"
        ;;
esac
