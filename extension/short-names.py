#!/usr/bin/env python3
"""Gives the wasm module's imports and exports short names, in the module and in wasm-bindgen's glue.

wasm-bindgen names each import after the function and a hash (`__wbg_getMessage_c7b1ae9256ac0e6b`)
in the module `./extension_bg.js`: 112 imports, about 6 KB of the release module's import
section, for names that only the glue reads (docs/benchmarks.md); its exports for closures are
as long (`wasm_bindgen__convert__closures_____invoke__h0fc7b4e2931802e6`). This renames the
import module to `a` and each import and export to a short letter code (`a`, `b`, ... `Z`,
`aa`, ...) in the order of its section, in the module and in the glue (the keys of its import
object, its `wasm.NAME` uses), and checks that the glue names every import exactly once, so a
change of wasm-bindgen's output fails the build instead of breaking the extension. The glue's
own exports (`on_message`, ...) keep their names: the extension's scripts call those. The same
input gives the same output.

Usage: short-names.py MODULE.wasm GLUE.js (both rewritten in place)
"""

import re
import string
import sys

IMPORT_SECTION = 2
EXPORT_SECTION = 7
GLUE_MODULE = "./extension_bg.js"
SHORT_MODULE = "a"
LETTERS = string.ascii_lowercase + string.ascii_uppercase


def fail(message):
    sys.exit(f"extension/short-names.py: {message}")


def read_leb(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def leb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def name(text):
    encoded = text.encode()
    return leb(len(encoded)) + encoded


def read_name(data, at):
    length, at = read_leb(data, at)
    return data[at : at + length].decode(), at + length


def skip_limits(data, at):
    flags = data[at]
    _, at = read_leb(data, at + 1)
    if flags & 1:
        _, at = read_leb(data, at)
    return at


def skip_description(data, at):
    """The end of an import's description (function, table, memory, global or tag)."""
    kind = data[at]
    at += 1
    if kind == 0:  # function: type index
        _, at = read_leb(data, at)
    elif kind == 1:  # table: reference type, limits
        at = skip_limits(data, at + 1)
    elif kind == 2:  # memory: limits
        at = skip_limits(data, at)
    elif kind == 3:  # global: value type, mutability
        at += 2
    elif kind == 4:  # tag: attribute, type index
        _, at = read_leb(data, at + 1)
    else:
        fail(f"import of unknown kind {kind}")
    return at


def short_name(index):
    text = ""
    index += 1
    while index:
        index, digit = divmod(index - 1, len(LETTERS))
        text = LETTERS[digit] + text
    return text


def sections(module):
    """(id, start, body start, end) of each section."""
    if module[:8] != b"\0asm\x01\0\0\0":
        fail("not a wasm module")
    at = 8
    while at < len(module):
        size, body = read_leb(module, at + 1)
        yield module[at], at, body, body + size
        at = body + size


def renamed_section(module, section_id, rename):
    """The module with one section's entries renamed by `rename(body, at, index)`, which
    returns the entry renamed and where the next starts; and the old names in order."""
    for found_id, start, body, end in sections(module):
        if found_id == section_id:
            count, at = read_leb(module, body)
            renamed, names = bytearray(leb(count)), []
            for index in range(count):
                entry, old, at = rename(module, at, index)
                renamed += entry
                names.append(old)
            if at != end:
                fail(f"section {section_id} does not end where its size says")
            section = bytes([section_id]) + leb(len(renamed)) + renamed
            return module[:start] + section + module[end:], names
    fail(f"the module has no section {section_id}")


def short_import(module, at, index):
    module_name, at = read_name(module, at)
    field, at = read_name(module, at)
    if module_name != GLUE_MODULE:
        fail(f"import {field!r} comes from {module_name!r}, not from the glue")
    description_start = at
    at = skip_description(module, at)
    return name(SHORT_MODULE) + name(short_name(index)) + module[description_start:at], field, at


def short_export(module, at, index):
    field, at = read_name(module, at)
    description_start = at
    _, at = read_leb(module, at + 1)  # kind, index
    return name(short_name(index)) + module[description_start:at], field, at


def rename_glue(glue, imports, exports):
    for index, field in enumerate(imports):
        # Each import is one key of the glue's import object: `        NAME: function(...`.
        pattern = re.compile(rf"^(\s+){re.escape(field)}:", re.MULTILINE)
        glue, found = pattern.subn(rf"\g<1>{short_name(index)}:", glue)
        if found != 1:
            fail(f"the glue names the import {field!r} {found} times, not once")
    quoted = f'"{GLUE_MODULE}": import0'
    if glue.count(quoted) != 1:
        fail(f"the glue does not hand its imports over as {quoted}")
    glue = glue.replace(quoted, f'"{SHORT_MODULE}": import0')
    for index, field in enumerate(exports):
        # The glue reads exports as `wasm.NAME` only (`wasm = instance.exports`).
        glue = re.sub(rf"\bwasm\.{re.escape(field)}\b", f"wasm.{short_name(index)}", glue)
    if glue.count("wasm = instance.exports;") != 1:
        fail("the glue does not read the exports as wasm = instance.exports")
    known = {short_name(index) for index in range(len(exports))}
    for used in sorted(set(re.findall(r"\bwasm\.([A-Za-z_$][\w$]*)", glue)) - known):
        fail(f"the glue reads wasm.{used}, which the module does not export")
    return glue


def main():
    if len(sys.argv) != 3:
        fail("usage: short-names.py MODULE.wasm GLUE.js")
    module_path, glue_path = sys.argv[1:]
    with open(module_path, "rb") as file:
        module = file.read()
    module, imports = renamed_section(module, IMPORT_SECTION, short_import)
    module, exports = renamed_section(module, EXPORT_SECTION, short_export)
    with open(glue_path, encoding="utf-8") as file:
        glue = rename_glue(file.read(), imports, exports)
    with open(module_path, "wb") as file:
        file.write(module)
    with open(glue_path, "w", encoding="utf-8") as file:
        file.write(glue)


if __name__ == "__main__":
    main()
