"""Extract the text of a PDF that WeasyPrint wrote, through each font's ToUnicode map (no poppler, no pypdf here).

Enough for tests: it reads Flate-compressed or plain streams, Type0 fonts with Identity-H encoding, and the Tj and
TJ operators WeasyPrint emits; a new text object or position (BT, Td, Tm, …) starts a new line.
"""

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_REF = rb"(\d+) 0 R"


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    objects = {}
    for match in _OBJ.finditer(data):
        body = match.group(2)
        head, stream = body, b""
        if b"stream" in body:
            head, _, rest = body.partition(b"stream")
            stream = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
            if b"/FlateDecode" in head:
                stream = zlib.decompress(stream)
        objects[int(match.group(1))] = (head, stream)
        if b"/ObjStm" in head:
            objects.update(_object_stream(head, stream))
    return objects


def _object_stream(head: bytes, stream: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Return the objects packed in a compressed object stream (never streams themselves)."""
    first = int(re.search(rb"/First\s+(\d+)", head).group(1))
    numbers = [int(n) for n in stream[:first].split()]
    pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
    packed = {}
    for index, (number, offset) in enumerate(pairs):
        end = first + pairs[index + 1][1] if index + 1 < len(pairs) else len(stream)
        packed[number] = (stream[first + offset : end], b"")
    return packed


def _cmap(stream: bytes) -> dict[int, str]:
    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code] = chr(start + offset)
    return table


def _fonts(objects) -> dict[bytes, dict[int, str]]:
    fonts = {}
    for head, _stream in objects.values():
        for inline in re.findall(rb"/Font\s*<<(.*?)>>", head, re.S):
            pairs = re.findall(rb"/([\w.+-]+)\s+" + _REF, inline)
            for name, ref in pairs:
                font_head = objects.get(int(ref), (b"", b""))[0]
                to_unicode = re.search(rb"/ToUnicode\s+" + _REF, font_head)
                if to_unicode:
                    fonts[name] = _cmap(objects[int(to_unicode.group(1))][1])
        for ref in re.findall(rb"/Font\s+" + _REF, head):
            font_dict = objects.get(int(ref), (b"", b""))[0]
            for name, font_ref in re.findall(rb"/([\w.+-]+)\s+" + _REF, font_dict):
                font_head = objects.get(int(font_ref), (b"", b""))[0]
                to_unicode = re.search(rb"/ToUnicode\s+" + _REF, font_head)
                if to_unicode:
                    fonts[name] = _cmap(objects[int(to_unicode.group(1))][1])
    return fonts


_TOKENS = re.compile(rb"/([\w.+-]+)\s+[\d.]+\s+Tf|<([0-9a-fA-F]*)>|\b(BT|ET|Td|TD|Tm|T\*)\b")


def pdf_text(data: bytes) -> str:
    """Return the text of the PDF, one line per text object."""
    objects = _objects(data)
    fonts = _fonts(objects)
    lines: list[str] = []
    for _head, stream in objects.values():
        if b" Tf" not in stream:
            continue
        table: dict[int, str] = {}
        current = ""
        for font, hexstr, op in _TOKENS.findall(stream):
            if font:
                table = fonts.get(font, {})
            elif op:
                if current:
                    lines.append(current)
                current = ""
            elif hexstr:
                raw = bytes.fromhex(hexstr.decode())
                current += "".join(table.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw), 2))
        if current:
            lines.append(current)
    return "\n".join(lines)
