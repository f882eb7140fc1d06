#!/usr/bin/env python3
"""French typography in the translation catalogues: no-break spaces before ? ! ; : and inside « ».

    python tools/french_typography.py            # fix every locale/fr/LC_MESSAGES/*.po in place
    python tools/french_typography.py --check    # list what is missing, exit 1 if anything is

Only msgstr text is touched. URLs, times (10:30), format placeholders (%(name)s, %s, {x}), HTML tags and
entities (&amp;) are left alone. Standard library only; concerto/core/typography.py has the same rules for the
test over the compiled catalogues; this tool imports them from there.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from concerto.core.french import fix_french, french_typography_faults  # noqa: E402


def _po_quote(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    return '"' + out.replace("\n", "\\n") + '"'


def fix_po(path: Path) -> int:
    """Rewrite the msgstr blocks of one .po file; return how many strings changed."""
    lines = path.read_text(encoding="utf-8").split("\n")
    out: list[str] = []
    changed = 0
    i = 0
    msgid: list[str] = []
    while i < len(lines):
        line = lines[i]
        if line.startswith("msgid"):
            msgid = [line]
        elif line.startswith('"') and msgid and not lines[i - 1].startswith("msgstr"):
            msgid.append(line)
        if line.startswith("msgstr") and msgid != ['msgid ""']:  # the header's msgid is empty
            keyword, _, first = line.partition(" ")
            parts = [first]
            j = i + 1
            while j < len(lines) and lines[j].startswith('"'):
                parts.append(lines[j])
                j += 1
            pieces = [ast.literal_eval(p) for p in parts]
            text = "".join(pieces)
            fixed = fix_french(text)
            if fixed != text and text:
                changed += 1
                if len(pieces) == 1:
                    out.append(f"{keyword} {_po_quote(fixed)}")
                else:
                    # Re-cut at the original boundaries, shifted by the characters inserted so far.
                    new_pieces, pos_old, pos_new = [], 0, 0
                    mapping = _alignment(text, fixed)
                    for k, piece in enumerate(pieces):
                        pos_old += len(piece)
                        end_new = len(fixed) if k == len(pieces) - 1 else mapping[pos_old]
                        new_pieces.append(fixed[pos_new:end_new])
                        pos_new = end_new
                    out.append(f"{keyword} {_po_quote(new_pieces[0])}")
                    out.extend(_po_quote(p) for p in new_pieces[1:])
            else:
                out.extend(lines[i:j])
            i = j
            continue
        out.append(line)
        i += 1
    if changed:
        path.write_text("\n".join(out), encoding="utf-8")
    return changed


def _alignment(old: str, new: str) -> list[int]:
    """For each index in old (0..len), the matching index in new (new only inserts or swaps spaces)."""
    mapping = [0] * (len(old) + 1)
    i = j = 0
    while i < len(old):
        mapping[i] = j
        if j < len(new) and (old[i] == new[j] or (old[i] == " " and new[j] in "\u00a0\u202f")):
            i += 1
            j += 1
        else:  # an inserted no-break space
            j += 1
    mapping[len(old)] = len(new)
    return mapping


def catalogues(root: Path = ROOT) -> list[Path]:
    return sorted(
        p for p in (root / "concerto").rglob("locale*/fr/LC_MESSAGES/*.po") if ".venv" not in p.parts
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report only, change nothing")
    args = parser.parse_args(argv)
    faults = 0
    for path in catalogues():
        if args.check:
            for text in msgstrs(path):
                for fault in french_typography_faults(text):
                    faults += 1
                    print(f"{path.relative_to(ROOT)}: {fault}")
        else:
            n = fix_po(path)
            if n:
                print(f"{path.relative_to(ROOT)}: {n} strings fixed")
    return 1 if faults else 0


def msgstrs(path: Path) -> list[str]:
    """Every msgstr (and plural msgstr[n]) of a .po file, unquoted."""
    texts, current, header = [], None, False
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("msgid"):
            header = line == 'msgid ""'
        elif line.startswith('"') and current is None:
            header = False
        if line.startswith("msgstr") and header:
            continue
        if line.startswith("msgstr"):
            if current is not None:
                texts.append("".join(current))
            current = [ast.literal_eval(line.partition(" ")[2])]
        elif current is not None and line.startswith('"'):
            current.append(ast.literal_eval(line))
        elif current is not None:
            texts.append("".join(current))
            current = None
    if current is not None:
        texts.append("".join(current))
    return texts


if __name__ == "__main__":
    sys.exit(main())
