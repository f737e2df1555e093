"""The hashes of the audit trail, in one place so that the writer, the sealer and the
verifier can never disagree.

``content_digest`` hashes one event's content. It must give the same answer for the values
handed to the database at insert time and for the values read back from either database
years later, so every value is put in a canonical form first:

* ``at`` in UTC ISO 8601 (PostgreSQL hands back UTC, a caller may have used another zone);
* ``ip`` as the hex of its packed bytes (PostgreSQL's ``inet`` and Python versions print
  IPv4-mapped IPv6 addresses differently);
* ``detail`` parsed from its JSON text with integral floats as integers (PostgreSQL's
  ``jsonb`` turns ``1e16`` into ``10000000000000000``), then dumped with sorted keys.

``link_digest`` links an event into the chain:
``sha256(prev_chain_hash + content_hash + str(id))``. Both hashes are 64 hex characters,
so the concatenation is unambiguous.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from functools import lru_cache
from hashlib import sha256

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the very first event of the chain."""


def _canonical_float(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


# Made once: json.dumps/json.loads with options build a new encoder/decoder every call,
# and these run for every row ``verify_audit`` reads.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
_DECODER = json.JSONDecoder(parse_float=_canonical_float)


def canonical_detail(detail_json: str | None):
    """An event's ``detail`` (given as JSON text) as a canonical Python value."""
    if detail_json is None:
        return None
    return _DECODER.decode(detail_json)


@lru_cache(maxsize=65536)
def canonical_ip(ip: str | None) -> str | None:
    """The packed bytes of an address, in hex: the same whoever printed the address."""
    if not ip:
        return None
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            return socket.inet_pton(family, ip).hex()
        except OSError:
            continue
    return "invalid:" + ip


def content_digest(
    *,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    organisation_id: int | None,
    roles: str,
    action: str,
    object_type: str,
    object_id: str,
    purpose: str,
    ip: str | None,
    detail_json: str | None,
) -> str:
    """SHA-256 of one audit event's content (everything but the id and the chain)."""
    return content_digest_of(
        at, actor_id, actor_label, organisation_id, roles, action, object_type, object_id,
        purpose, ip, detail_json,
    )  # fmt: skip


def content_digest_of(
    at, actor_id, actor_label, organisation_id, roles, action, object_type, object_id,
    purpose, ip, detail_json,
) -> str:  # fmt: skip
    """``content_digest`` with positional arguments, for the verifier's inner loop."""
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    blob = _ENCODER.encode(
        [
            "v2",
            at.isoformat(),
            actor_id,
            actor_label,
            organisation_id,
            roles,
            action,
            object_type,
            object_id,
            purpose,
            canonical_ip(ip),
            None if detail_json is None else _DECODER.decode(detail_json),
        ]
    )
    return sha256(blob.encode()).hexdigest()


def link_digest(prev_hash: str, content_hash: str, event_id: int) -> str:
    """The chain hash of an event: its content hash linked to its predecessor's."""
    return sha256(f"{prev_hash}{content_hash}{event_id}".encode()).hexdigest()
