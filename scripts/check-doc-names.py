#!/usr/bin/env python3
"""Checks that every function a docs/internals/*.md page names exists.

A name in backticks followed by "(" -- `ledger_append()`,
`publish_tile(db, tile, out)` -- is a function. It must be:
  - defined under src/: a C function (a line at the start of a .c file,
    "type name(" not ending in ";"), a function-like macro, or a
    JavaScript function;
  - or SQL that the code itself runs: "name(" inside an SQL statement (a
    C string with SELECT, INSERT, UPDATE, DELETE, CREATE or REFERENCES)
    under src/ -- a table such as `event(seq)`, a function such as
    `blob_assemble(offset, piece)`;
  - or listed in scripts/doc-names-external.txt: functions of libc and of
    the libraries the pages name, one name or "prefix*" per line.
Fenced code blocks and URLs are not read.

Prints each name that is none of these with its page and line, then one
summary line in the form scripts/run-tests.sh counts (one case per page).
Exits 1 when a name is missing. Python 3 comes with Meson.

usage: check-doc-names.py [SOURCE_ROOT]"""
import pathlib
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
SPAN = re.compile(r"`([^`\n]+)`")
CALL = re.compile(rf"({IDENT})\(")
C_DEFINITION = re.compile(rf"^[A-Za-z_][A-Za-z0-9_ \t\*]*?[ \t\*]({IDENT})\s*\(")
MACRO = re.compile(rf"^\s*#\s*define\s+({IDENT})\(", re.M)
JS_FUNCTION = re.compile(rf"\bfunction\s*\*?\s*({IDENT})\s*\(|\b({IDENT})\s*[:=]\s*(?:async\s+)?(?:function\b|\([^()]*\)\s*=>)")
LITERAL = r'"(?:[^"\\\n]|\\.)*"'
# Adjacent literals are one string in C, as an SQL statement split over lines.
STRINGS = re.compile(rf"{LITERAL}(?:\s*{LITERAL})*")
SQL_KEYWORD = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE|CREATE|REFERENCES)\b")
SQL_CALL = re.compile(rf"\b({IDENT})\s*\(")
SOURCE_SUFFIXES = {".c", ".h", ".js", ".mjs", ".ts"}


def named_functions(page):
    """Yields (line number, name) for each `name(` of 'page' outside fences."""
    fenced = False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        for span in SPAN.findall(line):
            call = CALL.match(span)
            if call and "://" not in span:
                yield number, call.group(1)


def defined_names(src):
    """The functions, macros and SQL names that the files under 'src' define or run."""
    functions, sql = set(), set()
    for path in sorted(src.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        functions.update(MACRO.findall(text))
        if path.suffix == ".c":
            for line in text.splitlines():
                match = C_DEFINITION.match(line)
                if match and not line.rstrip().endswith(";") and not line.startswith(("return", "typedef")):
                    functions.add(match.group(1))
        if path.suffix in {".js", ".mjs", ".ts"}:
            for a, b in JS_FUNCTION.findall(text):
                functions.add(a or b)
        if path.suffix in {".c", ".h"}:
            for literal in STRINGS.findall(text):
                if SQL_KEYWORD.search(literal):
                    sql.update(SQL_CALL.findall(literal))
    return functions, sql


def external_names(path):
    """Exact names and prefixes (written "prefix*") from the allowlist file."""
    exact, prefixes = set(), []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry.endswith("*"):
            prefixes.append(entry[:-1])
        elif entry:
            exact.add(entry)
    return exact, tuple(prefixes)


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    functions, sql = defined_names(root / "src")
    exact, prefixes = external_names(root / "scripts" / "doc-names-external.txt")
    pages = sorted((root / "docs" / "internals").glob("*.md"))
    if not pages or not functions:
        print(f"check-doc-names: no pages or no sources under {root}", file=sys.stderr)
        return 2
    failed_pages = checked = 0
    for page in pages:
        named = list(named_functions(page))
        checked += len(named)
        missing = [(n, name) for n, name in named
                   if name not in functions and name not in sql
                   and name not in exact and not name.startswith(prefixes)]
        for number, name in missing:
            print(f"{page.relative_to(root)}:{number}: `{name}()` is not defined under src/ "
                  f"(nor SQL the code runs, nor in scripts/doc-names-external.txt)")
        failed_pages += bool(missing)
    if checked == 0:
        print("check-doc-names: the pages name no function at all; the check is broken", file=sys.stderr)
        return 2
    passed = len(pages) - failed_pages
    print(f"check-doc-names: {checked} names of functions on {len(pages)} pages, "
          f"{len(functions)} functions and macros under src/")
    print(f"[====] Synthesis: Tested: {len(pages)} | Passing: {passed} | Failing: {failed_pages} | Crashing: 0")
    return 1 if failed_pages else 0


if __name__ == "__main__":
    sys.exit(main())
