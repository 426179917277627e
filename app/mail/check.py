"""The mail gateway's evidence as findings: authentication, From tricks, attachments.

Pure: it reads a parsed message and an authentication report (both plain data) and
returns findings for the engine. A forged From must never pass as the official sender:
the only proof is DKIM or SPF that passes and aligns with the official domain.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from app.engine.charsets import decode_words
from app.engine.claim import Channel, Claim
from app.engine.findings import Finding, Severity
from app.engine.reference.models import Reference
from app.engine.validators.fold import fold_plain
from app.engine.validators.sender import is_official_domain
from app.mail.auth import AuthenticationReport, DKIMResult
from app.mail.parse import Flag, ParsedMessage

_QUIET = {"pass", "none", "neutral"}
_TEMP = "temperror"
_FROM_FLAGS = ("mail.invalid_from", "mail.malformed_from", "mail.encoded_word_in_address")


def _finding(
    ref: Reference,
    code: str,
    severity: Severity,
    field: str,
    evidence: str,
    *,
    proof: bool = False,
    **params: str,
) -> Finding:
    params.setdefault("official", ref.official_sender.address)
    return Finding(
        code,
        severity,
        field,
        evidence,
        tuple(ref.official_sender.sources),
        params=tuple(sorted(params.items())),
        proof=proof,
    )


def is_official_sender(parsed: ParsedMessage, ref: Reference) -> bool:
    sender = parsed.sender
    return sender is not None and sender.address.lower() == ref.official_sender.address.lower()


def claims_official_sender(parsed: ParsedMessage, ref: Reference) -> bool:
    """Whether a From field shows the official address anywhere, read or not.

    Fail closed: however the field is written (several mailboxes, a display name, an
    encoded word, bytes no parser could read), a reader may see the official address, so
    without aligned authentication the mail is a forgery.
    """
    official = ref.official_sender.address.casefold()
    return is_official_sender(parsed, ref) or any(
        official in text.casefold()
        for field in parsed.from_fields
        for text in (field, decode_words(field))
    )


def _dkim_finding(
    sig: DKIMResult, official_from: bool, aligned_by: tuple[str, ...], ref: Reference
) -> Finding:
    official_signer = bool(sig.domain) and is_official_domain(sig.domain or "", ref)
    quiet = sig.result in _QUIET and (sig.result != "pass" or sig.proof or not official_signer)
    severity = (
        Severity.INFO
        if quiet or not (official_signer or sig.result == _TEMP)
        else (Severity.WARNING)
    )
    proof = (
        official_from
        and official_signer
        and sig.result == "pass"
        and sig.proof
        and "dkim" in aligned_by
    )
    reason = f" ({sig.reason})" if sig.reason and sig.result != "pass" else ""
    return _finding(
        ref,
        f"mail.dkim.{sig.result}",
        severity,
        "mail.dkim",
        sig.domain or "",
        proof=proof,
        domain=sig.domain or "?",
        result=sig.result,
        reason_suffix=reason,
    )


def auth_findings(
    parsed: ParsedMessage, report: AuthenticationReport, ref: Reference
) -> list[Finding]:
    official_from = is_official_sender(parsed, ref)
    aligned_by = report.dmarc.aligned_by
    spf = report.spf
    found = [
        _finding(
            ref,
            f"mail.spf.{spf.result}",
            Severity.INFO if spf.result in _QUIET else Severity.WARNING,
            "mail.spf",
            spf.domain or "",
            proof=official_from
            and spf.result == "pass"
            and "spf" in aligned_by
            and is_official_domain(spf.domain or "", ref),
            domain=spf.domain or "?",
            result=spf.result,
        )
    ]
    signatures = report.dkim or ()
    found += [_dkim_finding(sig, official_from, aligned_by, ref) for sig in signatures]
    if not signatures:
        found.append(
            _finding(
                ref, "mail.dkim.none", Severity.INFO, "mail.dkim", "", domain="-", result="none"
            )
        )
    dmarc = report.dmarc
    found.append(
        _finding(
            ref,
            f"mail.dmarc.{dmarc.result}",
            Severity.INFO if dmarc.result in ("pass", "none") else Severity.WARNING,
            "mail.dmarc",
            dmarc.from_domain or "",
            domain=dmarc.from_domain or "?",
            result=dmarc.result,
        )
    )
    uncertain = any(f.code.endswith("." + _TEMP) for f in found)
    claimed = claims_official_sender(parsed, ref)
    if claimed and not report.aligned_with(ref.official_sender.domain) and not uncertain:
        found.append(
            _finding(
                ref,
                "mail.unauthenticated_official",
                Severity.DANGER,
                "mail.from",
                ref.official_sender.address,
            )
        )
    return found


def structure_findings(
    parsed: ParsedMessage, mail_from: str | None, ref: Reference
) -> list[Finding]:
    found: list[Finding] = []
    incomplete = [flag.removeprefix("mail.") for flag in parsed.flags if flag in Flag.INCOMPLETE]
    if incomplete:
        found.append(
            _finding(ref, "mail.malformed", Severity.WARNING, "mail", ", ".join(incomplete))
        )
    if parsed.has("mail.multiple_from"):
        shown = ", ".join(a.address for a in parsed.from_addresses)
        found.append(_finding(ref, "mail.multiple_from", Severity.DANGER, "mail.from", shown))
    if parsed.from_header_count == 0 or any(parsed.has(flag) for flag in _FROM_FLAGS):
        raw = parsed.sender.raw if parsed.sender else ""
        found.append(
            _finding(ref, "sender.invalid", Severity.WARNING, "mail.from", raw, address=raw or "-")
        )
    sender = parsed.sender
    if sender is not None:
        for shown in sender.shown_addresses:
            if shown.lower() != sender.address.lower():
                found.append(
                    _finding(
                        ref,
                        "sender.display_name_spoof",
                        Severity.DANGER,
                        "mail.from",
                        sender.raw or sender.formatted,
                        shown=shown,
                        actual=sender.address,
                    )
                )
                break
    if is_official_sender(parsed, ref):
        found += _reply_path_findings(parsed, mail_from, ref)
    return found


def _reply_path_findings(
    parsed: ParsedMessage, mail_from: str | None, ref: Reference
) -> list[Finding]:
    found = []
    elsewhere = [a.address for a in parsed.reply_to if not is_official_domain(a.domain, ref)]
    for path in (parsed.return_path, mail_from):
        domain = (path or "").rpartition("@")[2]
        if path and domain and not is_official_domain(domain, ref):
            elsewhere.append(path)
    for address in dict.fromkeys(elsewhere):
        found.append(
            _finding(ref, "mail.reply_to_mismatch", Severity.DANGER, "mail.reply_to", address)
        )
    return found


def attachment_findings(parsed: ParsedMessage, ref: Reference) -> list[Finding]:
    executable = {ext.lower() for ext in ref.attachments.executable_extensions}
    tools = [fold_plain(name).replace(" ", "") for name in ref.lexicon.tools.names]
    found = []
    for attachment in parsed.attachments:
        name = attachment.filename or ""
        suffix = PurePosixPath(name.lower()).suffix.lstrip(".")
        squashed = fold_plain(name).replace(" ", "").replace("_", "").replace("-", "")
        if suffix in executable:
            found.append(
                Finding(
                    "request.install",
                    Severity.DANGER,
                    "mail.attachment",
                    name,
                    tuple(ref.attachments.sources),
                )
            )
        if any(tool in squashed for tool in tools):
            found.append(
                Finding(
                    "request.remote_access",
                    Severity.DANGER,
                    "mail.attachment",
                    name,
                    tuple(ref.lexicon.tools.sources),
                )
            )
    return found


def mail_claim(parsed: ParsedMessage) -> Claim:
    """What the engine reads: the real From address, the subject, the text and its links."""
    parts = [parsed.subject, parsed.text]
    parts += [link for link in parsed.links if link not in parsed.text]
    sender = parsed.sender.address if parsed.sender else None
    return Claim(message="\n\n".join(p for p in parts if p), sender=sender, channel=Channel.EMAIL)
