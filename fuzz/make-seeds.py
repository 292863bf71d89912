#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ from the repository's
own test inputs, its data/ files and the conformance vectors kept in
tests/conformance/ (the C2SP signed-note known answers and the
transparency-dev/merkle proof cases; see tests/conformance/README.md).
Run from the source root; it only adds files (named by content hash), so
inputs merged from fuzzing runs stay."""
import base64, glob, hashlib, io, json, os, struct, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
VECTORS = os.path.join(ROOT, "tests", "conformance")


def seed(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def data_file(name):
    with open(os.path.join(ROOT, "data", name), "rb") as f:
        return f.read()


# --- json: API bodies, and the data files (objects) ---------------------
for body in [
    '{}', '{"name":"x"}', '{"date":"2018-09-28","note":"ratified"}',
    '{"count":5,"name":"\\u00e9\\ud83d\\ude00","b":true,"n":null,"a":[1,-2,{"z":[]}]}',
    '{"\\u0000":"nul key"}', '{"a":"\\u001f\\t\\n\\"\\\\"}', '{"b":1,"a":2,"\\ud800x":3}',
    '{"big":9223372036854775807,"small":-9223372036854775808}', '{"real":1.5}',
    '{"email":"a@example.org","password":"correct horse battery staple","role":"party"}',
    '{"party":"KAZ","type":"signature","date":"2018-09-28","source":{"url":"https://example.org"}}',
]:
    seed("json", body)
seed("json", data_file("code-of-conduct.json"))

# --- csv: the tabular tests' inputs and an import template ---------------
for text in [
    'a,b,c\r\n"x, y","he said ""hi""","multi\nline"\r\nplain,,last\r\n',
    '\ufeffparty,provision\nKAZ,1\n\nTUR,2',
    'a,b,c\n1\n1,2,3,4\n', 'a;b;c\n1;2;3\n', 'a\tb\n1\t2\n',
    'a,b\n1,2\n3,"never\nclosed\n', 'a,b\n"x"y,2\n', "party,value\nKAZ,'=SUM(A1)\n",
    'party,provision,rating,comment\nKAZ,1,implemented,"done, fully"\nTUR,2,partial,\n',
    'a,b\n\xe9t\xe9,x\n',
]:
    seed("csv", text.encode("utf-8", "surrogateescape") if "\xe9" not in text else text.encode("latin-1"))
seed("csv", b"a,b\nx\x00y,2\n")


# --- xlsx: small workbooks written here by the rules tabular reads -------
def xlsx(sheet_rows, shared=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                   '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                   'Target="worksheets/sheet1.xml"/></Relationships>')
        if shared is not None:
            items = "".join("<si><t>%s</t></si>" % s for s in shared)
            z.writestr("xl/sharedStrings.xml",
                       '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</sst>' % items)
        z.writestr("xl/worksheets/sheet1.xml",
                   '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   '<sheetData>%s</sheetData></worksheet>' % sheet_rows)
    return out.getvalue()


seed("xlsx", xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
                  '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1</v></c></row>',
                  ["party", "provision", "KAZ"]))
seed("xlsx", xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>party</t></is></c><c r="C1" t="b"><v>1</v></c></row>'
                  '<row r="3"><c r="B3" t="inlineStr"><is><r><t>rich </t></r><r><t>text</t></r></is></c></row>'))
seed("xlsx", xlsx('<row r="1"><c r="A1"><v>3.25</v></c><c r="XFD1" t="str"><v>far</v></c></row>', []))

# --- markdown ----------------------------------------------------------
for text in [
    "# Report\n\nThe *party* **ratified** the [Code](https://example.org).\n",
    "- one\n- two\n  1. nested\n\n> quote\n\n```c\nint x;\n```\n",
    "<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](JAVASCRIPT:1) ![i](data:image/png;base64,AAAA)\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n", "Text with &amp; entities &#x3c;script&#x3e; and `code`\n",
    "[ref][1]\n\n[1]: vbscript:msgbox \"t\"\n", "<img src=x onerror=alert(1)>\n", "\xff\xfe invalid utf-8\n",
]:
    seed("markdown", text.encode("utf-8", "surrogateescape") if "\xff" not in text else text.encode("latin-1"))

# --- signed notes: the C2SP known answers --------------------------------
with open(os.path.join(VECTORS, "signed-note", "vectors.json")) as f:
    notes = json.load(f)
for v in notes["valid"]:
    seed("note", v["note"])
    seed("note", v["vkey"])
for v in notes["must_fail"]:
    seed("note", v["note"])
seed("note", "PRIVATE+KEY+example.com/log+12345678+AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB")

# --- checkpoints ---------------------------------------------------------
root = base64.b64encode(bytes(range(32))).decode()
for text in [
    "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
    "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    "accord.localhost/log\n18446744073709551615\n%s\n" % root,
    "example.com/log\n5\n%s\nextension line\n" % root, "example.com/log\n05\n%s\n" % root,
]:
    seed("checkpoint", text)
    seed("cosign", text + "\n\u2014 witness.example/w1 " + base64.b64encode(b"\x00" * 76).decode() + "\n")
seed("cosign", "example.com/log\n1\n%s\n\n\u2014 witness.example/w1 AAAA\n" % root)

# --- tile paths and bundles ---------------------------------------------
for p in ["/tile/0/000", "/tile/0/x001/234", "/tile/3/x001/x234/067.p/8", "/tile/entries/000.p/1",
          "/tile/entries/x018/x446/x744/x073/x709/551/615", "/tile/63/000", "/tile/0/000.p/255"]:
    seed("tile", p)
seed("tile", b"\x00\x03abc\x00\x00\x00\x01z")

# --- proofs: the transparency-dev/merkle vectors in fuzz_proof's layout --
def hashes(items):
    out = b""
    for h in items:
        b = base64.b64decode(h) if h else b""
        out += bytes([len(b) % 41]) + b[:40]
    return out

for path in sorted(glob.glob(os.path.join(VECTORS, "merkle", "**", "*.json"), recursive=True)):
    with open(path) as f:
        v = json.load(f)
    if "leafIdx" in v:
        head = bytes([0]) + struct.pack(">QQ", v["leafIdx"], v["treeSize"])
        seed("proof", head + hashes([v["leafHash"], v["root"]] + (v["proof"] or [])))
    else:
        head = bytes([1]) + struct.pack(">QQ", v["size1"], v["size2"])
        seed("proof", head + hashes([v["root1"], v["root2"]] + (v["proof"] or [])))
for s in ["0", "18446744073709551615", "18446744073709551616", "007", "-1", "+1", " 1"]:
    seed("proof", s)

# --- dates -------------------------------------------------------------
for s in ["2018-09-28", "2020-02-29", "2019-02-29", "1000-01-01", "9999-12-31", "0999-12-31",
          "2026-05-01T12:00:00Z", "2026-05-01T14:30:00+02:30", "2026-05-01T11:00:00.123456-01:00",
          "1970-01-01T00:00:00Z", "9999-12-31T23:59:60Z", "2018-9-28", "2018-09-28T24:00:00Z"]:
    seed("date", s)

# --- routes: every pattern of the route table, filled in ----------------
with open(os.path.join(ROOT, "src", "http", "routes.c")) as f:
    src = f.read()
import re
for pat in sorted(set(re.findall(r'"(/(?:api|log|healthz)[^"%?]*)"', src))):
    path = re.sub(r"\{\*\}", "tile/0/000", pat)
    path = re.sub(r"\{[a-z0-9]+\}", "KAZ", path)
    for m in ["GET", "POST", "DELETE", "HEAD"]:
        seed("route", "%s %s" % (m, path))

# --- dataset -------------------------------------------------------------
seed("dataset", data_file("code-of-conduct.json"))
seed("dataset", data_file("code-of-conduct.facts.json"))
seed("dataset", '{"format":"accord-dataset/1","organizations":[],"groups":[],"instruments":[]}')

# --- witness add-checkpoint bodies (the checkpoint text after the blank
# line; fuzz_witness also sends each one signed by its log key) ----------
empty = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
for body in [
    "old 0\n\nexample.com/log\n0\n%s\n" % empty,
    "old 0\n\nexample.com/log\n5\n%s\n" % root,
    "old 3\n%s\n%s\n\nexample.com/log\n8\n%s\n" % (root, root, root),
    "old 0\n\nother.example/log\n1\n%s\n" % root,
    "old 5\n\nexample.com/log\n3\n%s\n" % root,
    "old 0\n\nexample.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u2014 example.com/log AAAAAAAAAAAA\n",
]:
    seed("witness", body)
