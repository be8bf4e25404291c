#!/usr/bin/env python3
"""Writes a built extension folder as a reproducible zip (a Chromium package or a Firefox xpi).

The same folder contents give the same bytes, whatever the files' modification times, owners,
permissions or the order the file system lists them in: entries are sorted by path, every entry
carries the same timestamp (SOURCE_DATE_EPOCH, the reproducible-builds convention, which
extension/build sets to the commit's time) and the mode 0644, and no directory entries, extra
fields or comments are written. Python's zipfile is used rather than `zip -X`, which keeps
Unix permissions and needs the files' mtimes touched beforehand.

Usage: package.py FOLDER OUTPUT
"""

import os
import sys
import time
import zipfile

# The earliest time a zip entry can carry (1980-01-01 00:00), when SOURCE_DATE_EPOCH is unset.
ZIP_EPOCH = 315532800


def entry_time():
    raw = os.environ.get("SOURCE_DATE_EPOCH", str(ZIP_EPOCH))
    try:
        seconds = int(raw)
    except ValueError:
        sys.exit(f"extension/package.py: SOURCE_DATE_EPOCH must be whole seconds since 1970, not {raw!r}")
    # Zip times are local times of day without a zone; UTC makes them the same everywhere.
    return time.gmtime(max(seconds, ZIP_EPOCH))[:6]


def files_of(folder):
    paths = []
    for root, directories, files in os.walk(folder):
        directories.sort()
        for name in files:
            path = os.path.join(root, name)
            if os.path.islink(path) or not os.path.isfile(path):
                sys.exit(f"extension/package.py: {path} is not a regular file; a package holds only files")
            paths.append(os.path.relpath(path, folder).replace(os.sep, "/"))
    return sorted(paths)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: extension/package.py FOLDER OUTPUT")
    folder, output = sys.argv[1], sys.argv[2]
    if not os.path.isfile(os.path.join(folder, "manifest.json")):
        sys.exit(f"extension/package.py: {folder} has no manifest.json; build the extension first")
    date_time = entry_time()
    partial = output + ".partial"
    with zipfile.ZipFile(partial, "w") as package:
        for name in files_of(folder):
            entry = zipfile.ZipInfo(name, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, so that the mode below is read as one
            entry.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            with open(os.path.join(folder, name), "rb") as source:
                package.writestr(entry, source.read(), compresslevel=9)
    os.replace(partial, output)


if __name__ == "__main__":
    main()
