"""Reads multipart/form-data bodies the way Starlette (FastAPI, vLLM, SGLang) does, with python-multipart.

An independent parser for the differential test in multipart-differential.test.ts. Input: one JSON
object per line, {"contentType": str, "body": base64}. Output: one JSON object per line with a
reading per header-parameter flavour: "regex" is python-multipart's own parse_options_header in
the installed (Debian) version, "email" is the email.message-based parsing later python-multipart
releases switched to. A reading is {"ok": true, "fields": [[name, text or null for a file]]} or
{"ok": false, "error": str}. Written for this project; it follows Starlette's documented
behaviour (request charset for every field, last Content-Disposition header of a part wins, a
part with a filename is a file, a part without a name is an error).
"""

import base64
import json
import sys
from email.message import Message

from multipart.multipart import MultipartParser
from multipart.multipart import parse_options_header as regex_options


def email_options(value):
    if not value:
        return b"", {}
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    if ";" not in text:
        return text.lower().strip().encode("latin-1"), {}
    message = Message()
    message["content-type"] = text
    params = message.get_params()
    main = params.pop(0)[0].encode("latin-1")
    options = {}
    for key, param in params:
        if isinstance(param, tuple):  # RFC 2231: (charset, language, value)
            param = param[-1]
        options[key.encode("latin-1")] = param.encode("latin-1")
    return main, options


def decode(data, charset):
    try:
        return data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return data.decode("latin-1")


def read(content_type, body, options_of):
    _, params = options_of(content_type.encode("latin-1"))
    boundary = params.get(b"boundary")
    if boundary is None:
        raise ValueError("no boundary")
    charset = params.get(b"charset", b"utf-8").decode("latin-1")
    fields = []
    part = {}
    header = {"field": b"", "value": b""}

    def on_part_begin():
        part.clear()
        part.update(disposition=None, data=b"")

    def on_header_field(data, start, end):
        header["field"] += data[start:end]

    def on_header_value(data, start, end):
        header["value"] += data[start:end]

    def on_header_end():
        if header["field"].lower() == b"content-disposition":
            part["disposition"] = header["value"]
        header["field"] = b""
        header["value"] = b""

    def on_headers_finished():
        _, options = options_of(part["disposition"])
        if b"name" not in options:
            raise ValueError("a part has no name")
        part["name"] = decode(options[b"name"], charset)
        part["file"] = b"filename" in options

    def on_part_data(data, start, end):
        part["data"] += data[start:end]

    def on_part_end():
        fields.append([part["name"], None if part["file"] else decode(part["data"], charset)])

    callbacks = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    }
    parser = MultipartParser(boundary, callbacks)
    parser.write(body)
    parser.finalize()
    return fields


def reading(content_type, body, options_of):
    try:
        return {"ok": True, "fields": read(content_type, body, options_of)}
    except Exception as error:  # every failure is a refusal by the server, whatever its type
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def main():
    for line in sys.stdin:
        case = json.loads(line)
        body = base64.b64decode(case["body"])
        result = {flavour: reading(case["contentType"], body, options_of) for flavour, options_of in (("regex", regex_options), ("email", email_options))}
        sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
