#!/usr/bin/env python3
"""Gives the wasm module's imports short names, in the module and in wasm-bindgen's glue.

wasm-bindgen names each import after the function and a hash (`__wbg_getMessage_c7b1ae9256ac0e6b`)
in the module `./extension_bg.js`: 112 imports, about 6 KB of the release module's import
section, for names that only the glue reads (docs/benchmarks.md). This renames the module to
`a` and each import to a short letter code (`a`, `b`, ... `Z`, `aa`, ...) in the order of the
import section, in the module and in the glue's import object, and checks that every name was
found exactly once in the glue, so a change of wasm-bindgen's output fails the build instead of
breaking the extension. The same input gives the same output.

Usage: short-imports.py MODULE.wasm GLUE.js (both rewritten in place)
"""

import re
import string
import sys

IMPORT_SECTION = 2
GLUE_MODULE = "./extension_bg.js"
SHORT_MODULE = "a"
LETTERS = string.ascii_lowercase + string.ascii_uppercase


def fail(message):
    sys.exit(f"extension/short-imports.py: {message}")


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


def rename_imports(module):
    """The module with short import names, and the old names in order."""
    if module[:8] != b"\0asm\x01\0\0\0":
        fail("not a wasm module")
    at = 8
    while at < len(module):
        section_start = at
        section_id = module[at]
        size, body = read_leb(module, at + 1)
        end = body + size
        if section_id == IMPORT_SECTION:
            count, at = read_leb(module, body)
            renamed, names = bytearray(leb(count)), []
            for index in range(count):
                module_name, at = read_name(module, at)
                field, at = read_name(module, at)
                description_start = at
                at = skip_description(module, at)
                if module_name != GLUE_MODULE:
                    fail(f"import {field!r} comes from {module_name!r}, not from the glue")
                names.append(field)
                renamed += name(SHORT_MODULE) + name(short_name(index))
                renamed += module[description_start:at]
            if at != end:
                fail("the import section does not end where its size says")
            section = bytes([IMPORT_SECTION]) + leb(len(renamed)) + renamed
            return module[:section_start] + section + module[end:], names
        at = end
    fail("the module has no import section")


def rename_glue(glue, names):
    for index, field in enumerate(names):
        # Each import is one key of the glue's import object: `        NAME: function(...`.
        pattern = re.compile(rf"^(\s+){re.escape(field)}:", re.MULTILINE)
        glue, found = pattern.subn(rf"\g<1>{short_name(index)}:", glue)
        if found != 1:
            fail(f"the glue names the import {field!r} {found} times, not once")
    quoted = f'"{GLUE_MODULE}": import0'
    if glue.count(quoted) != 1:
        fail(f"the glue does not hand its imports over as {quoted}")
    return glue.replace(quoted, f'"{SHORT_MODULE}": import0')


def main():
    if len(sys.argv) != 3:
        fail("usage: short-imports.py MODULE.wasm GLUE.js")
    module_path, glue_path = sys.argv[1:]
    with open(module_path, "rb") as file:
        module, names = rename_imports(file.read())
    with open(glue_path, encoding="utf-8") as file:
        glue = rename_glue(file.read(), names)
    with open(module_path, "wb") as file:
        file.write(module)
    with open(glue_path, "w", encoding="utf-8") as file:
        file.write(glue)


if __name__ == "__main__":
    main()
