"""DKIM (RFC 6376, 8301, 8463) for every signature of a message, with dkimpy.

dkimpy does the cryptography and canonicalisation; on top of it we refuse what it accepts
but a verifier must not: rsa-sha1 (RFC 8301), RSA keys under 1024 bits (RFC 8301), a
signature whose h= leaves out From (RFC 6376 §6.1.1) and an expired x= (dkimpy allows ten
hours of slack). The key is fetched through our resolver first, so that a DNS timeout is
reported as `temperror` and a missing key as `permerror`, which dkimpy would both call a
plain failure. A signature with an l= shorter than the body verifies, but only the signed
prefix is proven, so it is marked as no proof for alignment.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import dkim
from dkim.canonicalization import CanonicalizationPolicy
from dkim.util import InvalidTagValueList, parse_tag_value

from app.mail.auth.dns import Deadline, DNSTempError, Resolver
from app.mail.auth.results import DKIMResult

ALLOWED_ALGORITHMS = frozenset({"rsa-sha256", "ed25519-sha256"})
MIN_RSA_BITS = 1024
MAX_SIGNATURES = 10
KEYS_KEPT = 256  # key records read once each (a domain's key signs all its mail)
_SIGNATURE_FIELD = re.compile(rb"^dkim-signature[ \t]*:", re.IGNORECASE | re.MULTILINE)


class _Refused(Exception):
    """A signature is decided before (or instead of) cryptographic verification."""

    def __init__(self, result: str, reason: str) -> None:
        super().__init__(reason)
        self.result = result
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Signature:
    tags: dict[bytes, bytes]
    domain: str | None
    selector: str | None
    algorithm: str | None

    @classmethod
    def parse(cls, value: bytes) -> _Signature:
        try:
            tags = parse_tag_value(value)
        except InvalidTagValueList as exc:
            raise _Refused("permerror", f"malformed DKIM-Signature: {exc}") from exc

        def text(tag: bytes) -> str | None:
            raw = tags.get(tag)
            return None if raw is None else raw.decode("ascii", "replace").lower()

        return cls(tags, text(b"d"), text(b"s"), text(b"a"))

    def result(
        self, result: str, reason: str, *, proof: bool = False, body_length: int | None = None
    ) -> DKIMResult:
        b_tag = re.sub(rb"\s+", b"", self.tags.get(b"b", b"")).decode("ascii", "replace")
        return DKIMResult(
            result,
            self.domain,
            self.selector,
            self.algorithm,
            reason,
            proof=proof,
            body_length=body_length,
            signature_prefix=b_tag[:8] or None,
        )


def verify_dkim(
    message: bytes,
    resolver: Resolver,
    deadline: Deadline,
    *,
    now: float | None = None,
    max_signatures: int = MAX_SIGNATURES,
) -> tuple[DKIMResult, ...]:
    """Verify every DKIM-Signature field, topmost first; () when the message has none."""
    try:
        verifier = dkim.DKIM(message, minkey=MIN_RSA_BITS)
    except (dkim.DKIMException, IndexError, ValueError) as exc:
        count = len(_SIGNATURE_FIELD.findall(re.split(rb"\r?\n\r?\n", message, maxsplit=1)[0]))
        reason = f"message header could not be parsed: {exc}"
        return tuple(DKIMResult("permerror", None, None, None, reason) for _ in range(count))
    fields = [v for name, v in verifier.headers if name.lower() == b"dkim-signature"]
    results: list[DKIMResult] = []
    for index, value in enumerate(fields):
        if index >= max_signatures:
            reason = f"not evaluated: more than {max_signatures} signatures"
            results.append(DKIMResult("policy", None, None, None, reason))
            continue
        results.append(_verify_one(verifier, index, value, resolver, deadline, now))
    return tuple(results)


def _verify_one(
    verifier: dkim.DKIM,
    index: int,
    value: bytes,
    resolver: Resolver,
    deadline: Deadline,
    now: float | None,
) -> DKIMResult:
    try:
        signature = _Signature.parse(value)
    except _Refused as refused:
        return DKIMResult(refused.result, None, None, None, refused.reason)
    try:
        _check_tags(signature, time.time() if now is None else now)
        key = _fetch_key(signature, resolver, deadline)
        _verify_crypto(verifier, index, key)
        covered, body = _body_coverage(verifier, signature)
    except _Refused as refused:
        return signature.result(refused.result, refused.reason)
    except Exception as exc:  # hostile input must not crash the gateway
        return signature.result("permerror", f"verification error: {_short(exc)}")
    if covered < body:
        reason = f"verified, but l= signs only {covered} of {body} body bytes"
        return signature.result("pass", reason, proof=False, body_length=covered)
    return signature.result("pass", "signature verified", proof=True)


def _check_tags(signature: _Signature, now: float) -> None:
    tags = signature.tags
    expiry = tags.get(b"x", b"")
    if expiry.isdigit() and int(expiry) < now:
        raise _Refused("fail", f"signature expired (x={expiry.decode()})")
    try:
        dkim.validate_signature_fields(tags)
    except dkim.ValidationError as exc:
        raise _Refused("permerror", f"invalid signature: {exc}") from exc
    if signature.algorithm not in ALLOWED_ALGORITHMS:
        raise _Refused("fail", f"algorithm {signature.algorithm} is not acceptable (RFC 8301)")
    signed = {h.strip().lower() for h in re.split(rb"\s*:\s*", tags[b"h"])}
    if b"from" not in signed:
        raise _Refused("fail", "h= does not cover the From field (RFC 6376 §6.1.1)")


class _PublicKey(NamedTuple):
    """A key record as dkimpy reads it (evaluate_pk), and its tags."""

    pk: Any
    bits: int
    ktag: bytes
    tlsrpt: bool
    tags: dict[bytes, bytes]


@lru_cache(maxsize=KEYS_KEPT)
def _read_key(name: str, record: bytes) -> _PublicKey:
    """The record read once (parsing it, base64 and ASN.1, cost a fifth of DKIM's time,
    and it was done twice, here and again inside dkimpy's verify); the same record
    fetched for the next message is not read again."""
    tags = parse_tag_value(record)
    pk, bits, ktag, tlsrpt = dkim.evaluate_pk(name.encode(), record)
    return _PublicKey(pk, bits, ktag, tlsrpt, tags)


def _fetch_key(signature: _Signature, resolver: Resolver, deadline: Deadline) -> _PublicKey:
    name = f"{signature.selector}._domainkey.{signature.domain}"
    try:
        records = [b"".join(strings) for strings in resolver.txt(name, deadline)]
    except DNSTempError as exc:
        raise _Refused("temperror", f"key lookup failed: {exc}") from exc
    if not records:
        raise _Refused("permerror", f"no key published at {name}")
    # Other TXT records may share the name; the key record is the one with a p= tag.
    keys = [r for r in records if re.search(rb"(^|;)\s*p\s*=", r)]
    record = (keys or records)[0]
    try:
        key = _read_key(name, record)
    except (InvalidTagValueList, dkim.DKIMException, ValueError) as exc:
        if _revoked(record):
            raise _Refused("fail", "key revoked (empty p=)") from exc
        raise _Refused("permerror", f"unusable key record at {name}: {exc}") from exc
    _check_key(signature, key.tags, key.bits, key.ktag)
    return key


def _revoked(record: bytes) -> bool:
    return re.search(rb"(^|;)\s*p\s*=\s*(;|$)", record) is not None


def _check_key(signature: _Signature, key: dict[bytes, bytes], bits: int, ktag: bytes) -> None:
    algorithm = signature.algorithm or ""
    if not algorithm.startswith(ktag.decode()):
        raise _Refused("fail", f"a={algorithm} does not match the {ktag.decode()} key")
    if ktag == b"rsa" and bits < MIN_RSA_BITS:
        raise _Refused("fail", f"RSA key of {bits} bits is under {MIN_RSA_BITS} (RFC 8301)")
    hashes = key.get(b"h")
    if hashes and b"sha256" not in {h.strip() for h in hashes.split(b":")}:
        raise _Refused("fail", "key record's h= does not allow sha256")


def _verify_crypto(verifier: dkim.DKIM, index: int, key: _PublicKey) -> None:
    """dkimpy's verify (DKIM.verify) with the key read above: its verify_sig would
    fetch the record and read it again; verify_sig_process is what it then calls."""
    try:
        prepared = verifier.verify_headerprep(index)
        if not prepared:
            raise _Refused("permerror", "no such signature")
        tags, include_headers, fields = prepared
        verifier.pk, verifier.keysize, verifier.ktag, verifier.seqtlsrpt = key[:4]
        ok = verifier.verify_sig_process(tags, include_headers, fields[index], None)
    except dkim.ValidationError as exc:
        result = "fail" if "body hash mismatch" in str(exc) else "permerror"
        raise _Refused(result, _short(exc)) from exc
    except dkim.DKIMException as exc:
        raise _Refused("permerror", _short(exc)) from exc
    if not ok:
        raise _Refused("fail", "signature did not verify")


def _body_coverage(verifier: dkim.DKIM, signature: _Signature) -> tuple[int, int]:
    """(bytes the signature covers, bytes of canonical body); (0, 0) without l=."""
    length = signature.tags.get(b"l")
    if length is None:
        return 0, 0  # the whole body is signed; canonicalising again would cost as much
    policy = CanonicalizationPolicy.from_c_value(signature.tags.get(b"c", b"simple/simple"))
    body = len(policy.canonicalize_body(verifier.body))
    if int(length) > body:
        raise _Refused("fail", f"l={int(length)} is longer than the {body}-byte body")
    return int(length), body


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 160 else text[:157] + "..."
