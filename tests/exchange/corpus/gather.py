"""Copy the corpus from local snapshots of the source repositories (maintainer tool, not a test).

Run: python tests/exchange/corpus/gather.py MIRROR_DIR, where MIRROR_DIR holds one bare git
directory per source as `<owner>+<name>/repo`. It (re)writes the source folders, their
licence files and SOURCES.json; record_expected.py then recomputes expected.json.
Which files are taken, and why, is in SOURCES below: text files of at most 200 KB, no
time-zone-only dumps (tzurl.org, Citadel), at most `limit` per source so the test stays fast.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
MAX_BYTES = 200_000

# name: (owner/repo, SPDX licence, licence file in the repo, path regex, limit)
SOURCES = {
    "python-icalendar": ("collective/icalendar", "BSD-2-Clause", "LICENSE.rst", r"\.ics$", 80),
    "icaljs": ("kewisch/ical.js", "MPL-2.0", "LICENSE", r"\.(ics|vcf)$", 60),
    "khal": ("pimutils/khal", "MIT", "COPYING", r"\.ics$", 30),
    "ical4j": ("ical4j/ical4j", "BSD-3-Clause", "LICENSE.txt", r"\.ics$", 50),
    "ical4j-vcard": ("ical4j/ical4j-vcard", "BSD-3-Clause", "LICENSE.txt", r"\.vcf$", 40),
    "libical": (
        "libical/libical",
        "LGPL-2.1-only OR MPL-2.0",
        "LICENSES/MPL-2.0.txt",
        r"^(test-data|src/test)/.*\.(ics|vcf)$",
        20,
    ),
    "py-vobject": ("py-vobject/vobject", "Apache-2.0", "LICENSE", r"\.(ics|vcf)$", 40),
    "sabre-vobject": ("sabre-io/vobject", "BSD-3-Clause", "LICENSE", r"\.(ics|vcf)$", 10),
    "ez-vcard": ("mangstadt/ez-vcard", "BSD-2-Clause", "LICENSE", r"\.vcf$", 40),
    # AOSP's vCard library (mirrored by LineageOS); Apache-2.0 per its file headers, the repo
    # has no licence file, so py-vobject's copy of the same Apache-2.0 text is used.
    "android-vcard": (
        "LineageOS/android_frameworks_opt_vcard",
        "Apache-2.0",
        None,
        r"\.vcf$",
        60,
    ),
}

# Lower-case needle in PRODID / file name -> producer. First match wins.
PRODUCERS = [
    ("google", "Google"),
    ("gmail", "Google"),
    ("mozilla", "Mozilla Thunderbird/Lightning"),
    ("thunderbird", "Mozilla Thunderbird/Lightning"),
    ("microsoft", "Microsoft Outlook/Exchange"),
    ("outlook", "Microsoft Outlook/Exchange"),
    ("apple", "Apple"),
    ("iphone", "Apple"),
    ("mac_address_book", "Apple"),
    ("evolution", "GNOME Evolution"),
    ("ximian", "GNOME Evolution"),
    ("lotus", "IBM Lotus Notes"),
    ("zimbra", "Zimbra"),
    ("research in motion", "BlackBerry"),
    ("black_berry", "BlackBerry"),
    ("davmail", "DavMail"),
    ("owncloud", "ownCloud/Nextcloud"),
    ("nextcloud", "ownCloud/Nextcloud"),
    ("kontact", "KDE"),
    ("korganizer", "KDE"),
    ("android", "Android"),
    ("trumba", "Trumba"),
    ("oracle", "Oracle Calendar"),
    ("plone", "Plone"),
    ("khal", "khal"),
    ("sap", "SAP"),
]
SKIP_PRODID = ("tzurl.org", "citadel.org")


def git(repo: Path, *args: str) -> bytes:
    # The maintainer's own git, on snapshots they fetched: no untrusted input.
    command = ["git", "-C", str(repo), *args]
    return subprocess.run(command, capture_output=True, check=True).stdout  # noqa: S603


def producer(source: str, path: str, text: str) -> str:
    match = re.search(r"^PRODID[^:\n]*:(.*)$", text, re.MULTILINE | re.IGNORECASE)
    for hay in (match.group(1) if match else "", Path(path).name):
        for needle, name in PRODUCERS:
            if needle in hay.lower():
                return name
    if source == "android-vcard":
        return "Android"
    return f"{source} (hand-written test case)"


def candidates(repo: Path, pattern: str) -> list[tuple[str, bytes, str]]:
    listing = git(repo, "ls-tree", "-r", "-l", "HEAD").decode()
    found = []
    for line in listing.splitlines():
        meta, path = line.split("\t", 1)
        size = meta.split()[3]
        if not re.search(pattern, path, re.IGNORECASE) or size == "-" or int(size) > MAX_BYTES:
            continue
        data = git(repo, "show", f"HEAD:{path}")
        if b"\0" in data:
            continue
        text = data.decode("utf-8", "replace")
        if any(skip in text[:2000] for skip in SKIP_PRODID) and "BEGIN:VEVENT" not in text:
            continue
        if "BEGIN:VCALENDAR" not in text.upper() and "BEGIN:VCARD" not in text.upper():
            continue
        found.append((path, data, text))
    return found


def main(mirror: Path) -> None:
    sources: dict[str, dict] = {}
    files: dict[str, dict] = {}
    for name, (slug, spdx, licence, pattern, limit) in SOURCES.items():
        repo = mirror / slug.replace("/", "+") / "repo"
        commit = git(repo, "rev-parse", "HEAD").decode().strip()
        target = HERE / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        found = candidates(repo, pattern)
        # Real producers' files first, then the libraries' own cases, in path order.
        found.sort(key=lambda f: ("hand-written" in producer(name, f[0], f[2]), f[0]))
        for path, data, text in found[:limit]:
            flat = path.replace("/", "__")
            (target / flat).write_bytes(data)
            files[f"{name}/{flat}"] = {"path": path, "producer": producer(name, path, text)}
        licence_repo, licence_path = (
            (repo, licence) if licence else (mirror / "py-vobject+vobject" / "repo", "LICENSE")
        )
        (HERE / f"LICENSE-{name}").write_bytes(git(licence_repo, "show", f"HEAD:{licence_path}"))
        sources[name] = {
            "repository": f"https://github.com/{slug}",
            "commit": commit,
            "licence": spdx,
            "licence_file": f"LICENSE-{name}",
        }
    out = {"sources": sources, "files": dict(sorted(files.items()))}
    (HERE / "SOURCES.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    (HERE / "SOURCES.md").write_text(summary(sources, files))


def summary(sources: dict[str, dict], files: dict[str, dict]) -> str:
    """SOURCES.json for people: each source with its files' count, then the producers."""
    lines = [
        "# Where the corpus files come from",
        "",
        "Written by gather.py from SOURCES.json (which also names each file's path in its",
        "repository and its producer). Each source's licence text is beside it as",
        "LICENSE-<source>. Files are copied unchanged; `/` in their path became `__`.",
        "expected.json holds each file's outcome under the importers (a dry run, floating",
        "times in UTC): imported with its counts, or refused with the first line of the",
        "message; record_expected.py rewrites it and tests/exchange/test_corpus.py checks it.",
        "",
        "| source | repository | commit | licence | .ics | .vcf |",
        "|---|---|---|---|---|---|",
    ]
    for name, source in sources.items():
        mine = [f for f in files if f.startswith(f"{name}/")]
        ics = sum(f.endswith(".ics") for f in mine)
        lines.append(
            f"| {name} | {source['repository']} | {source['commit'][:12]} | "
            f"{source['licence']} | {ics} | {len(mine) - ics} |"
        )
    lines += ["", "| producer | .ics | .vcf |", "|---|---|---|"]
    producers = sorted({entry["producer"] for entry in files.values()})
    for name in producers:
        mine = [f for f, entry in files.items() if entry["producer"] == name]
        ics = sum(f.endswith(".ics") for f in mine)
        lines.append(f"| {name} | {ics} | {len(mine) - ics} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main(Path(sys.argv[1]))
