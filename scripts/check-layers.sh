#!/usr/bin/env bash
# One direction of flow: every module of src/ sits on a layer, and a module may use only modules
# of the layers below its own (not above, not beside). This script reads every `crate::…` path
# in src/ (whole-line comments left out; a `use crate::{a, b::c}` group counted item by item, over
# several lines too), prints each import that points up or sideways with its file and line, and
# exits 1 if there is one, 0 otherwise. It needs only bash, sed, grep and awk, and runs in under
# a second:
#
#     scripts/check-layers.sh
#
# A module is a file src/NAME.rs or a folder src/NAME/ (its files are one module: imports between
# them, and `super::`, stay inside it). `crate::Error` and `crate::Result` are `error`'s (lib.rs
# re-exports them). lib.rs and main.rs are the crate's roots and are not checked. A module that
# is on no layer, or a `crate::NAME` that is not a module on one, fails the check too.
set -euo pipefail

# The layers, top to bottom: a module may use only modules on the lines below its own. The order
# is written here once; lib.rs's module doc shows the same list (`//! - [`a`], [`b`]: …`), and
# the check fails when the two differ.
LAYERS='
cli
commands
pipeline run_dir
gradcheck plot
params_file train run_result
infer confusion regularize
data optim
config
models
nn
fast
device
tensor_util image_input atomic
error rng
stop
'

cd "$(dirname "$0")/../src"
script="scripts/$(basename "$0")"
status=0

# The modules: src/NAME.rs and src/NAME/, but for the roots lib.rs and main.rs.
modules=()
for path in *.rs */; do
    name=${path%.rs}
    name=${name%/}
    [[ "$name" == lib || "$name" == main ]] && continue
    modules+=("$name")
done

# Every `crate::NAME` a file uses, one per line: "LINE NAME".
crate_paths() {
    # Comment lines (doc comments and `//` notes) are not imports.
    sed -E 's#^[[:space:]]*//.*$##' "$1" | awk '
    {
        text = $0
        while ((i = index(text, "crate::")) > 0) {
            # `$crate::` (macros) and `foo_crate::` are not this crate.
            before = substr(text, i - 1, 1)
            text = substr(text, i + 7)
            if (i > 1 && before ~ /[A-Za-z0-9_$]/) continue
            if (substr(text, 1, 1) != "{") {
                if (match(text, /^[A-Za-z_][A-Za-z0-9_]*/)) print NR, substr(text, 1, RLENGTH)
                continue
            }
            # A group `{a, b::{c, d}, e}`, possibly over several lines: the items at depth 1.
            depth = 0; expect = 1; line = NR
            while (1) {
                if (text == "") {
                    if ((getline more) <= 0) break
                    text = more; line = NR
                    continue
                }
                c = substr(text, 1, 1)
                if (c == "{") { depth++; expect = (depth == 1) }
                else if (c == "}") { depth--; if (depth == 0) { text = substr(text, 2); break } }
                else if (c == "," && depth == 1) expect = 1
                else if (expect && depth == 1 && match(text, /^[A-Za-z_][A-Za-z0-9_]*/)) {
                    print line, substr(text, 1, RLENGTH)
                    text = substr(text, RLENGTH + 1)
                    expect = 0
                    continue
                }
                text = substr(text, 2)
            }
        }
    }'
}

# "MODULE FILE:LINE NAME" for every `crate::NAME` of every module, then one pass that knows the
# layers (plain bash 3 and any awk: no associative arrays in the shell).
for module in "${modules[@]}"; do
    echo "module $module"
    if [[ -d "$module" ]]; then files=$(find "$module" -name '*.rs' | sort); else files="$module.rs"; fi
    for file in $files; do
        crate_paths "$file" | while read -r line name; do echo "$module src/$file:$line $name"; done
    done
done | LAYERS="$LAYERS" SCRIPT="$script" awk '
BEGIN {
    count = split(ENVIRON["LAYERS"], lines, "\n")
    for (i = 1; i <= count; i++) {
        if (lines[i] ~ /^[[:space:]]*$/) continue
        layers++
        places = split(lines[i], names, " ")
        for (j = 1; j <= places; j++) layer[names[j]] = layers
    }
    failed = 0
}
$1 == "module" {
    modules++
    if (!($2 in layer)) {
        print "src/" $2 " (.rs or /): module `" $2 "` is on no layer: add it to LAYERS in " ENVIRON["SCRIPT"]
        failed = 1
    }
    next
}
{
    module = $1; where = $2; name = $3
    if (name == "self") next
    target = (name == "Error" || name == "Result") ? "error" : name
    if (target == module || !(module in layer)) next
    if (!(target in layer)) {
        print where ": crate::" name " is not a module on a layer of LAYERS"
        failed = 1
    } else if (layer[target] <= layer[module]) {
        way = layer[target] == layer[module] ? "sideways" : "upward"
        print where ": " module " imports " target " (" way ": " module " is on layer " \
            layer[module] ", " target " on layer " layer[target] ")"
        failed = 1
    }
}
END { exit failed }' || status=1

# lib.rs's module doc lists the same layers (`//! - [`a`], [`b`]: …`, top to bottom): keep them equal.
documented=$(grep -E '^//! - \[`' lib.rs | sed -E 's/: .*//; s/[^`]*`([a-z_]+)`[^`]*/\1 /g; s/ +$//')
wanted=$(grep -v '^[[:space:]]*$' <<<"$LAYERS")
if [[ "$documented" != "$wanted" ]]; then
    echo "src/lib.rs: the layer list of the module doc differs from LAYERS in $script:"
    diff <(echo "$documented") <(echo "$wanted") | sed 's/^/    /' || true
    status=1
fi

if ((status == 0)); then
    echo "check-layers: every import in src/ points down (${#modules[@]} modules, $(grep -c . <<<"$wanted") layers)"
fi
exit $status
