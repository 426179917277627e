"""Keys and DKIM signatures made during the test run (no fixed keys in the repository).

RSA keys come from the `openssl` command, ed25519 keys from PyNaCl. `sign` uses dkimpy's
public signer; `sign_with_tags` builds a signature with tags dkimpy's signer refuses to
write (x=, an h= without From) through dkimpy's own header generator, so the signature is
cryptographically valid and only the tag under test is wrong. `perl_sign` uses Debian's
libmail-dkim-perl, an implementation independent of dkimpy.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import dkim
import nacl.encoding
import nacl.signing
from dkim.canonicalization import CanonicalizationPolicy
from dkim.crypto import parse_pem_private_key

from tests.dnsserver import DNSTestServer

PERL_SIGNER = "dkimproxy-sign"


@dataclass(frozen=True)
class Key:
    algorithm: str  # rsa-sha256 or ed25519-sha256 (rsa keys also sign rsa-sha1)
    private: bytes  # PEM for RSA, base64 seed for ed25519 (what dkimpy takes)
    public: str  # base64 for the p= tag

    @property
    def kind(self) -> str:
        return "ed25519" if self.algorithm.startswith("ed25519") else "rsa"

    def record(self) -> str:
        return f"v=DKIM1; k={self.kind}; p={self.public}"

    def publish(self, server: DNSTestServer, selector: str, domain: str) -> None:
        server.add(f"{selector}._domainkey.{domain}", "TXT", self.record())


def _openssl(*args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


@functools.cache
def rsa_key(bits: int = 2048) -> Key:
    private = _openssl("genrsa", "-traditional", str(bits))
    public_der = _openssl("rsa", "-pubout", "-outform", "DER", data=private)
    return Key("rsa-sha256", private, base64.b64encode(public_der).decode())


@functools.cache
def ed25519_key() -> Key:
    signing = nacl.signing.SigningKey.generate()
    seed = base64.b64encode(bytes(signing))
    public = base64.b64encode(bytes(signing.verify_key)).decode()
    return Key("ed25519-sha256", seed, public)


HEADERS = ("from", "to", "subject", "date", "message-id")


def sign(
    message: bytes,
    key: Key,
    *,
    domain: str,
    selector: str = "sel",
    algorithm: str | None = None,
    headers: tuple[str, ...] = HEADERS,
    length: bool = False,
) -> bytes:
    """`message` with a DKIM-Signature by dkimpy's signer prepended."""
    signature = dkim.sign(
        message,
        selector.encode(),
        domain.encode(),
        key.private,
        signature_algorithm=(algorithm or key.algorithm).encode(),
        include_headers=[h.encode() for h in headers],
        canonicalize=(b"relaxed", b"relaxed"),
        length=length,
    )
    return bytes(signature) + message


def sign_with_tags(
    message: bytes,
    key: Key,
    *,
    domain: str,
    selector: str = "sel",
    headers: tuple[str, ...] = HEADERS,
    extra: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """A valid signature carrying `extra` tags (e.g. x=) that dkimpy's signer never writes."""
    signer = dkim.DKIM(message, signature_algorithm=key.algorithm.encode())
    signer.hasher = dkim.HASH_ALGORITHMS[key.algorithm.encode()]
    policy = CanonicalizationPolicy.from_c_value(b"relaxed/relaxed")
    include = tuple(h.encode() for h in headers)
    body_hash = base64.b64encode(hashlib.sha256(policy.canonicalize_body(signer.body)).digest())
    fields = [
        (b"v", b"1"),
        (b"a", key.algorithm.encode()),
        (b"c", b"relaxed/relaxed"),
        (b"d", domain.encode()),
        (b"s", selector.encode()),
        (b"t", str(int(time.time()) - 3600).encode()),
        *((k.encode(), v.encode()) for k, v in extra),
        (b"h", b" : ".join(include)),
        (b"bh", body_hash),
        (b"b", b"0" * 60),
    ]
    pk = parse_pem_private_key(key.private) if key.kind == "rsa" else _ed25519(key)
    value = signer.gen_header(fields, include, policy, b"DKIM-Signature", pk)
    return b"DKIM-Signature: " + bytes(value) + message


def _ed25519(key: Key) -> nacl.signing.SigningKey:
    return nacl.signing.SigningKey(key.private, encoder=nacl.encoding.Base64Encoder)


def perl_signer_available() -> bool:
    return shutil.which(PERL_SIGNER) is not None


def perl_sign(
    message: bytes, key: Key, *, domain: str, selector: str = "sel", method: str = "relaxed"
) -> bytes:
    """`message` signed by Mail::DKIM (libmail-dkim-perl's dkimproxy-sign), RSA only."""
    with tempfile.TemporaryDirectory() as tmp:
        key_file = Path(tmp) / "private.pem"
        key_file.write_bytes(key.private)
        command = [PERL_SIGNER, "--domain", domain, "--selector", selector]
        command += ["--key", str(key_file), "--method", method]
        done = subprocess.run(command, input=message, capture_output=True, check=True)
    signature = done.stdout.replace(b"\r\n", b"\n").rstrip(b"\n").replace(b"\n", b"\r\n")
    return signature + b"\r\n" + message
