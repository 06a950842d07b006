#!/usr/bin/env python3
"""Checks that a report or portfolio stays well formed and inert whatever names
went into it: `output_check.py FORMAT FILE [BASELINE]`.

Every format: strict UTF-8, and no control character but line breaks and tabs.
json/sarif: parses. html: parsed with html.parser, it has no element or
attribute that BASELINE (the same report with harmless names) lacks, no event
handler and no javascript: URL. markdown: no raw HTML but the renderer's own,
no link, every table row has its header's cells. csv: every row has the
header's cells and no cell starts like a formula. Exit 1 with the reason."""
import csv
import io
import json
import re
import sys
from html.parser import HTMLParser


def fail(why):
    print("output_check: %s: %s" % (sys.argv[2], why))
    sys.exit(1)


class Shape(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.values = set(), set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            self.attrs.add((tag, name))
            self.values.append(value or "")

    handle_startendtag = handle_starttag


def html_shape(text):
    p = Shape()
    p.feed(text)
    p.close()
    return p


def unescaped(line, ch):
    """Positions of `ch` in a Markdown line not preceded by a backslash."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] == ch:
            out.append(i)
        i += 1
    return out


def check_markdown(text):
    fence = False
    table = None
    for line in text.split("\n"):
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        for at in unescaped(line, "<"):
            if not re.match(r"</?(br|sub)>", line[at:]):
                fail("raw HTML in Markdown: %r" % line[at:at + 40])
        for at in unescaped(line, "]"):
            if line[at + 1:at + 2] == "(":
                fail("a link in Markdown: %r" % line[max(0, at - 20):at + 40])
        if line.startswith("|"):
            cells = len(unescaped(line, "|"))
            if table is None:
                table = cells
            elif cells != table:
                fail("a table row with %d cells where the header has %d: %r" % (cells, table, line[:120]))
        else:
            table = None


def check_csv(text):
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        fail("no CSV header")
    for row in rows:
        if len(row) != len(rows[0]):
            fail("a CSV row with %d cells, header %d: %r" % (len(row), len(rows[0]), row))
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                fail("a CSV cell a spreadsheet would run: %r" % cell)


def main():
    fmt, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("not UTF-8: %s" % e)
    for ch in text:
        o = ord(ch)
        if (o < 0x20 and ch not in "\n\r\t") or o == 0x7F or 0x80 <= o <= 0x9F:
            fail("a raw control character U+%04X" % o)
    if fmt in ("json", "sarif"):
        try:
            json.loads(text)
        except ValueError as e:
            fail("does not parse as JSON: %s" % e)
    elif fmt == "html":
        shape = html_shape(text)
        if len(sys.argv) > 3:
            base = html_shape(open(sys.argv[3], encoding="utf-8").read())
            if shape.tags - base.tags:
                fail("elements the page does not have: %s" % sorted(shape.tags - base.tags))
            if shape.attrs - base.attrs:
                fail("attributes the page does not have: %s" % sorted(shape.attrs - base.attrs))
        if any(name.startswith("on") for _, name in shape.attrs):
            fail("an event handler attribute")
        if any("javascript:" in v.lower() for v in shape.values):
            fail("a javascript: URL")
        if "script" in shape.tags:
            fail("a script element")
    elif fmt == "markdown":
        check_markdown(text)
    elif fmt == "csv":
        check_csv(text)


main()
