"""The file of a resume upload: the ``file`` part of ``multipart/form-data`` (the body was
already read within the size limit), or the raw body of any other media type."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP

from qh.kit.problems import BadRequest, InvalidValue


def file_of(media_type: str, content_type: str, body: bytes) -> bytes:
    if media_type != "multipart/form-data":
        if not body:
            raise InvalidValue.field("file", "is required")
        return body
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise BadRequest("The multipart body cannot be read")
    fallback: bytes | None = None
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if part.get_param("name", header="content-disposition") == "file":
            if not payload:
                raise InvalidValue.field("file", "is empty")
            return payload
        if fallback is None and part.get_filename():
            fallback = payload
    if fallback:
        return fallback
    raise InvalidValue.field("file", "is required (a multipart part named file)")
