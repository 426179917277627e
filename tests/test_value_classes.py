"""The value classes whose __init__ is written out (for mypyc, see app.findings.Span) still
behave as the dataclasses they are: every field taken, in order, frozen where declared so."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
from pathlib import Path

import pytest

from app.claim import Indicator, IndicatorKind
from app.findings import Finding, Severity, Span
from app.native import engine_build
from app.validators.hits import Spans
from app.validators.links import Link
from app.validators.phone import ExtensionMention, PhoneMention
from app.validators.sender import ParsedSender
from app.validators.ticket import TicketMention

WRITTEN_OUT = [
    Span,
    Finding,
    PhoneMention,
    ExtensionMention,
    Link,
    ParsedSender,
    TicketMention,
    Indicator,
    Spans,
]
HASH_WRITTEN_OUT = [Span, Finding, Indicator]  # hashed on every check


def _method(cls: type, name: str) -> ast.FunctionDef | None:
    """The class's own method, read from its module's source file (a compiled method has no
    signature to inspect, a compiled class no source)."""
    module = sys.modules[cls.__module__]
    source = Path(module.__file__ or "").with_name(cls.__module__.rsplit(".", 1)[-1] + ".py")
    tree = ast.parse(source.read_text(encoding="utf-8"))
    (definition,) = [
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == cls.__name__
    ]
    found = [
        node for node in definition.body if isinstance(node, ast.FunctionDef) and node.name == name
    ]
    return found[0] if found else None


def _init_parameters(cls: type) -> list[str]:
    init = _method(cls, "__init__")
    assert init is not None
    return [arg.arg for arg in init.args.args[1:]]


def _hashed_attributes(method: ast.FunctionDef) -> list[str]:
    return [
        node.attr
        for node in ast.walk(method)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    ]


@pytest.mark.parametrize("cls", WRITTEN_OUT, ids=lambda cls: cls.__name__)
def test_init_takes_every_field_in_order(cls: type) -> None:
    assert _init_parameters(cls) == [f.name for f in dataclasses.fields(cls)]


@pytest.mark.parametrize("cls", HASH_WRITTEN_OUT, ids=lambda cls: cls.__name__)
def test_a_written_out_hash_covers_the_fields_equality_compares(cls: type) -> None:
    method = _method(cls, "__hash__")
    assert method is not None
    compared = [f.name for f in dataclasses.fields(cls) if f.compare]
    assert _hashed_attributes(method) == compared


def test_a_finding_is_equal_hashable_frozen_and_replaceable() -> None:
    made = Finding("phone.mobile", Severity.WARNING, "phone", "0901", ("s1",), Span(0, 4))
    same = Finding(
        code="phone.mobile",
        severity=Severity.WARNING,
        field="phone",
        evidence="0901",
        sources=("s1",),
        span=Span(0, 4),
    )
    assert made == same and hash(made) == hash(same)
    assert (made.params, made.proof) == ((), False)  # the defaults
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.code = "other"  # type: ignore[misc]
    moved = dataclasses.replace(made, span=Span(5, 9))
    assert moved.span == Span(5, 9) and moved != made
    assert repr(Span(1, 2)) == "Span(start=1, end=2)"


def test_indicators_collapse_in_a_set_and_spans_start_empty() -> None:
    found = {Indicator(IndicatorKind.PHONE, "+84901234567") for _ in range(3)}
    assert found == {Indicator(kind=IndicatorKind.PHONE, value="+84901234567")}
    first, second = Spans(), Spans()
    first.los.append(1)
    assert second.los == [] and Spans([1], [2]) == Spans(los=[1], his=[2])


@pytest.mark.skipif(engine_build() != "compiled", reason="the engine runs as Python")
@pytest.mark.parametrize("cls", WRITTEN_OUT, ids=lambda cls: cls.__name__)
def test_the_compiled_build_runs_these_inits_compiled(cls: type) -> None:
    assert not inspect.isfunction(cls.__dict__["__init__"])
