"""Turn an Assessment into what people read, in their language."""

from __future__ import annotations

from typing import Any

from app.api.schemas import CheckResponse
from app.engine.assess import Assessment
from app.engine.extract import IDENTIFIERS_PER_KIND, Extracted
from app.engine.findings import Finding, Lang
from app.engine.i18n import advice_text, finding_message, verdict_label, verdict_summary
from app.engine.reference.models import Reference


def finding_out(finding: Finding, lang: Lang, ref: Reference) -> dict[str, Any]:
    """A FindingOut's fields: the response is validated once, whole (present)."""
    span = finding.span
    return {
        "code": finding.code,
        "severity": finding.severity,
        "field": finding.field,
        "evidence": finding.evidence,
        "span": {"start": span.start, "end": span.end} if span else None,
        "message": finding_message(finding, lang, ref),
        "source": ref.cite(finding.sources) if finding.sources else "",
        "source_ids": list(finding.sources),
        "proof": finding.proof,
    }


def identifiers(ex: Extracted) -> dict[str, list[str]]:
    """Every identifier found, by ExtractedOut's list names: each once, in the order found."""
    return {
        "emails": list(dict.fromkeys(s.normalized or s.address for s in ex.senders)),
        "phones": list(dict.fromkeys(p.e164 or p.written for p in ex.phones)),
        "ticket_codes": list(dict.fromkeys(t.code for t in ex.tickets)),
        "urls": list(dict.fromkeys(link.url for link in ex.links)),
    }


def extracted_out(
    ex: Extracted, per_list: int = IDENTIFIERS_PER_KIND
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """An ExtractedOut's fields, the first `per_list` of each list, and how many of each
    list were left out (OmittedOut.extracted)."""
    found = identifiers(ex)
    shown = {name: values[:per_list] for name, values in found.items()}
    omitted = {name: len(values) - per_list for name, values in found.items()}
    return shown, {name: count for name, count in omitted.items() if count > 0}


def present(
    assessment: Assessment, *, check_id: str, lang: Lang, ref: Reference, stored: bool
) -> CheckResponse:
    # One validation of the whole response (in pydantic's core) rather than a model
    # built, and validated, for each finding and span.
    extracted, extracted_omitted = extracted_out(assessment.extracted)
    return CheckResponse.model_validate(
        {
            "id": check_id,
            "verdict": assessment.verdict,
            "verdict_label": verdict_label(assessment.verdict, lang),
            "summary": verdict_summary(assessment.verdict, lang),
            "findings": [finding_out(f, lang, ref) for f in assessment.findings],
            "extracted": extracted,
            "omitted": {"findings": dict(assessment.omitted), "extracted": extracted_omitted},
            "advice": [advice_text(key, lang, ref) for key in assessment.advice],
            "received_at": assessment.received_at,
            "stored": stored,
        }
    )
