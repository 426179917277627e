"""The mail gateway against rspamd, the mail filter many already run, on the same messages.

Fourteen small DKIM-signed messages (the e-mail rows of the labelled corpus: seven from
the real support address, six scams from their own domains, one forging the support
address), each domain's key, SPF and DMARC records served by a real DNS server on
127.0.0.1 that both ask. thatgia serves /v1/mail/check (a gateway key made here);
Debian's rspamd runs one scanner worker (bench/rspamd.py) and answers /checkv2. Each is
sent the raw messages in turn by wrk over one keep-alive connection, in alternating
slices after a warm-up, so both run with warm caches.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench.load import Slice, measure, ratios, spread, summary
from bench.rspamd import running_rspamd
from bench.server import migrate, serving
from bench.wrk import raw_request
from tests.dnsserver import DNSTestServer
from tests.mail.auth.signing import rsa_key, sign

CORPUS = Path(__file__).parent.parent / "tests" / "corpus" / "messages.jsonl"
OFFICIAL = "vst.gov.vn"
GENUINE, SCAMS = 7, 7  # the last scam forges the official address
FORGER = "kbnn-thongbao.net"  # the domain that signs and sends the forged one
RECIPIENT = "ketoan@donvi.example"
ROUNDS = 4
SLICE_SECONDS = 3
WARM_UP_SECONDS = 2
CONNECTIONS = 1


@dataclass(frozen=True)
class Mail:
    raw: bytes
    signer: str  # the domain of the DKIM signature, the envelope sender and the HELO
    client_ip: str
    label: str

    @property
    def mail_from(self) -> str:
        return f"bounce@{self.signer}"

    @property
    def helo(self) -> str:
        return f"mail.{self.signer}"


def _rows() -> Iterator[dict[str, object]]:
    with CORPUS.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["claim"].get("channel") == "email" and row["claim"].get("sender"):
                yield row


def corpus_mails() -> list[Mail]:
    """The messages: the first e-mail rows of each label, one scam forging the address."""
    rows = list(_rows())
    genuine = [r for r in rows if r["label"] == "genuine"][:GENUINE]
    scams = [r for r in rows if r["label"] == "scam"]
    own = [r for r in scams if not _sender(r)[1].endswith("@" + OFFICIAL)][: SCAMS - 1]
    forged = [r for r in scams if _sender(r)[1].endswith("@" + OFFICIAL)][:1]
    mails: list[Mail] = []
    addresses: dict[str, str] = {OFFICIAL: "203.0.113.25"}  # one sending server per domain
    for n, row in enumerate([*genuine, *own, *forged]):
        domain = _sender(row)[1].rpartition("@")[2]
        signer = FORGER if row in forged else domain
        ip = addresses.setdefault(signer, f"198.51.100.{10 + len(addresses)}")
        mails.append(Mail(_message(row, n, signer), signer, ip, str(row["label"])))
    return mails


def _sender(row: dict[str, object]) -> tuple[str, str]:
    claim = row["claim"]
    assert isinstance(claim, dict)
    return parseaddr(str(claim["sender"]))


def _message(row: dict[str, object], n: int, signer: str) -> bytes:
    claim = row["claim"]
    assert isinstance(claim, dict)
    text = str(claim["message"])
    subject = " ".join(text.split()[:8])
    head = (
        f"From: {claim['sender']}\r\nTo: {RECIPIENT}\r\nSubject: {subject}\r\n"
        f"Date: Fri, 21 Nov 2025 09:{n:02d}:00 +0700\r\nMessage-ID: <bench-{n}@{signer}>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
    )
    body = f"{text}\r\n\r\n--\r\n{_sender(row)[0] or 'Bộ phận hỗ trợ'}\r\n"
    return sign((head + "\r\n" + body).encode(), rsa_key(2048), domain=signer)


def publish(server: DNSTestServer, mails: list[Mail]) -> None:
    """What each sending domain publishes: its DKIM key, SPF and DMARC records, an MX, the
    addresses of the domain and of its mail server, and the server's PTR. (rspamd asks
    for all of these; without the domain's own A and AAAA records, its HELO and sender
    checks waited two seconds of retries per message on this DNS server's empty answers.)"""
    for signer, ip in {m.signer: m.client_ip for m in mails}.items():
        rsa_key(2048).publish(server, "sel", signer)
        server.add(signer, "TXT", f"v=spf1 ip4:{ip} -all")
        policy = "reject" if signer == OFFICIAL else "none"
        server.add(f"_dmarc.{signer}", "TXT", f"v=DMARC1; p={policy}")
        server.add(signer, "MX", (10, f"mail.{signer}"))
        for host, v4, v6 in ((signer, "192.0.2.80", "2001:db8::80"), (f"mail.{signer}", ip, "")):
            server.add(host, "A", v4)
            server.add(host, "AAAA", v6 or f"2001:db8::{ip.rpartition('.')[2]}")
        server.add(".".join(reversed(ip.split("."))) + ".in-addr.arpa", "PTR", f"mail.{signer}")
    if OFFICIAL not in {m.signer for m in mails}:
        server.add(f"_dmarc.{OFFICIAL}", "TXT", "v=DMARC1; p=reject")


def thatgia_requests(mails: list[Mail], token: str) -> list[bytes]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "message/rfc822"}
    return [
        raw_request(
            "POST",
            "/v1/mail/check?"
            + urlencode({"client_ip": m.client_ip, "helo": m.helo, "mail_from": m.mail_from}),
            m.raw,
            headers,
        )
        for m in mails
    ]


def rspamd_requests(mails: list[Mail]) -> list[bytes]:
    return [
        raw_request(
            "POST",
            "/checkv2",
            m.raw,
            {"IP": m.client_ip, "Helo": m.helo, "From": m.mail_from, "Rcpt": RECIPIENT},
        )
        for m in mails
    ]


def gateway_key(env: dict[str, str]) -> str:
    """A gateway key in the bench's database, made as an operator would."""
    command = [sys.executable, "-m", "app.cli.main", "keys", "create", "--name", "bench"]
    done = subprocess.run(
        [*command, "--scope", "gateway"], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def _send(base: str, request: bytes) -> dict[str, object]:
    """One request outside the load, to see what it answers."""
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ")
    headers = dict(line.split(": ", 1) for line in lines[1:] if not line.startswith("Host:"))
    answer = httpx.request(method, base + path, content=body, headers=headers, timeout=30)
    answer.raise_for_status()
    result: dict[str, object] = answer.json()
    return result


def agreement(thatgia: list[dict[str, object]], rspamd: list[dict[str, object]]) -> list[str]:
    """What each said of the messages: enough to see both authenticated them."""
    passes: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    for answer in thatgia:
        auth = answer["authentication"]
        assert isinstance(auth, dict)
        passes["dkim"] += any(d["result"] == "pass" for d in auth["dkim"])
        passes["spf"] += auth["spf"]["result"] == "pass"
        passes["dmarc"] += auth["dmarc"]["result"] == "pass"
        verdicts[str(answer["verdict"])] += 1
    symbols: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    for answer in rspamd:
        found = answer.get("symbols")
        assert isinstance(found, dict)
        symbols.update(
            s for s in ("R_DKIM_ALLOW", "R_SPF_ALLOW", "DMARC_POLICY_ALLOW") if s in found
        )
        actions[str(answer["action"])] += 1
    n = len(thatgia)
    lines = [
        f"thatgia: dkim=pass {passes['dkim']}/{n}, spf=pass {passes['spf']}/{n}, "
        f"dmarc=pass {passes['dmarc']}/{n}; verdicts {dict(verdicts)}"
    ]
    if rspamd:
        lines.append(
            f"rspamd : R_DKIM_ALLOW {symbols['R_DKIM_ALLOW']}/{n}, R_SPF_ALLOW "
            f"{symbols['R_SPF_ALLOW']}/{n}, DMARC_POLICY_ALLOW "
            f"{symbols['DMARC_POLICY_ALLOW']}/{n}; actions {dict(actions)}"
        )
    return lines


def run() -> None:
    mails = corpus_mails()
    sizes = sorted(len(m.raw) for m in mails)
    with ExitStack() as stack:
        dns = stack.enter_context(DNSTestServer())
        publish(dns, mails)
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        env = {
            "THATGIA_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "THATGIA_DNS_NAMESERVERS": dns.address,
        }
        migrate(env)
        ours = thatgia_requests(mails, gateway_key(env))
        theirs = rspamd_requests(mails)
        served = stack.enter_context(serving(env))
        sides = {"thatgia": (served.base, served.cpu_seconds, ours)}
        answers = {"thatgia": [_send(served.base, r) for r in ours]}
        try:
            rspamd = stack.enter_context(running_rspamd(dns.address))
        except SystemExit as missing:  # not installed, and this process may not install it
            print(f"{missing}\nthatgia alone:")
        else:
            sides["rspamd"] = (rspamd.base, rspamd.cpu_seconds, theirs)
            answers["rspamd"] = [_send(rspamd.base, r) for r in theirs]
        said = agreement(answers["thatgia"], answers.get("rspamd", []))
        slices: dict[str, list[Slice]] = {name: [] for name in sides}
        queries: dict[str, int] = Counter()
        for round_ in range(ROUNDS + 1):
            for name, (base, cpu, requests) in sides.items():
                seconds = WARM_UP_SECONDS if round_ == 0 else SLICE_SECONDS
                dns.reset_counts()
                done = measure(base, cpu, requests, seconds=seconds, connections=CONNECTIONS)
                if round_:
                    slices[name].append(done)
                    queries[name] += len(dns.queries)
    _report(mails, sizes, said, slices, queries)


def _report(
    mails: list[Mail],
    sizes: list[int],
    checks: list[str],
    slices: dict[str, list[Slice]],
    queries: dict[str, int],
) -> None:
    genuine = sum(m.label == "genuine" for m in mails)
    print(
        f"{len(mails)} messages ({genuine} genuine, {len(mails) - genuine} scams), "
        f"{sizes[0] / 1024:.1f}–{sizes[-1] / 1024:.1f} KB, rsa-sha256 2048-bit; wrk, "
        f"{CONNECTIONS} keep-alive connection each, {ROUNDS} alternating {SLICE_SECONDS} s "
        "slices; median (min–max)"
    )
    for line in checks:
        print(f"  {line}")
    labels = {"thatgia": "thatgia /v1/mail/check", "rspamd": "rspamd  /checkv2      "}
    for name in slices:
        sent = sum(s.load.requests for s in slices[name])
        dns = f"  DNS queries {queries[name] / sent:.2f}/msg" if sent else ""
        print(summary(labels[name], slices[name], unit="msg/s") + dns)
    if "rspamd" not in slices:
        return
    paired = ratios(slices["thatgia"], slices["rspamd"])
    print(f"ratio thatgia / rspamd, msg/s: {spread(paired, '.2f')}")
    cpu = [
        t.cpu_ms / r.cpu_ms
        for t, r in zip(slices["thatgia"], slices["rspamd"], strict=True)
        if t.cpu_ms is not None and r.cpu_ms
    ]
    if cpu:
        print(f"CPU per message, thatgia / rspamd: {spread(cpu, '.1f')}")
