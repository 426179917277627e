"""All settings, from environment variables prefixed THATGIA_ (see README, "Configuration")."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="THATGIA_", extra="ignore")

    # Storage and reference data
    database_url: str = "sqlite:///./var/thatgia.db"
    # Longest wait for a database connection (connect, pool, SQLite lock) before giving up.
    database_timeout: Annotated[float, Field(gt=0, le=60)] = 5.0
    reference_file: str | None = None
    # The learned layer beside the text rules (app/engine/learned): false runs the rules alone;
    # the file is the bundled app/engine/learned/model.npz unless given.
    learned_model: bool = True
    learned_model_file: str | None = None

    # Input bounds
    max_message_chars: Annotated[int, Field(ge=100)] = 20_000
    max_request_bytes: Annotated[int, Field(ge=1024)] = 256 * 1024
    mail_max_bytes: Annotated[int, Field(ge=1024)] = 10 * 1024 * 1024
    # Longest wait for the next part of a request body; past it, 408 and the connection
    # is closed (a half-sent body would otherwise hold its connection while it stays open).
    body_read_timeout: Annotated[float, Field(gt=0, le=600)] = 10.0
    # CPU seconds one mail may spend being read; past it the rest is skipped (mail.malformed).
    mail_cpu_budget: Annotated[float, Field(gt=0, le=60)] = 0.5

    # Reading images (POST /v1/check/image, the web form, Zalo images)
    ocr_max_bytes: Annotated[int, Field(ge=1024)] = 10 * 1024 * 1024
    # Width × height read from the header before decoding: a decompression bomb stops here.
    ocr_max_pixels: Annotated[int, Field(ge=10_000)] = 40_000_000
    ocr_workers: Annotated[int, Field(ge=1, le=64)] = 2
    ocr_queue: Annotated[int, Field(ge=0, le=1000)] = 4
    # Seconds one image may take to be read; past it, it counts as holding no text.
    ocr_timeout: Annotated[float, Field(gt=0, le=120)] = 15.0
    ocr_languages: str = "vie+eng"
    ocr_tessdata: str | None = None

    # Rules
    ticket_stale_days: Annotated[int, Field(ge=1)] = 30
    ticket_registry_authoritative: bool = False
    report_danger_threshold: Annotated[int, Field(ge=1)] = 3
    # Seconds between a process's looks at the campaign revision: another replica's
    # confirmation or rejection reaches this one's checks within it (app.store.campaignindex).
    campaign_refresh_seconds: Annotated[float, Field(gt=0, le=300)] = 2.0

    # Reports: pending until an admin decides, or until this many different clients have
    # reported the same text or indicator (0: only an admin confirms).
    report_auto_confirm_clients: Annotated[int, Field(ge=0, le=1000)] = 3
    # Reports without an API key, per client address and window (429 past it).
    report_rate_limit: Annotated[int, Field(ge=1)] = 20
    report_rate_window_seconds: Annotated[int, Field(ge=1, le=7 * 24 * 3600)] = 3600
    # The header a reverse proxy in front of the service sets to the client's address
    # (X-Forwarded-For: its last entry; X-Real-IP); unset: the connection's peer address.
    # Set it only behind such a proxy: a client could write any header itself.
    trusted_proxy_header: str | None = None

    # Admin console: a session ends after this many minutes without a request.
    admin_session_idle_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 30

    # Audit log
    audit_enabled: bool = True
    audit_keep_text: bool = False

    # Mail authentication
    dns_nameservers: Annotated[list[str], NoDecode] = []
    dns_timeout: Annotated[float, Field(gt=0)] = 2.0
    dns_budget: Annotated[float, Field(gt=0)] = 5.0
    authserv_id: str = "thatgia"

    # Web form
    secret_key: SecretStr | None = None

    @property
    def web_secret(self) -> bytes | None:
        """THATGIA_SECRET_KEY as bytes; None when it is not set (or set empty)."""
        value = self.secret_key.get_secret_value() if self.secret_key is not None else ""
        return value.encode() or None

    # Zalo Official Account
    zalo_app_id: str | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_app_secret: SecretStr | None = None
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    # Delivery of replies: timeouts of one call to Zalo, retries with exponential backoff
    # from base to cap, then the reply is recorded as failed; the lease is how long a
    # worker owns a reply it is sending before another may take it over.
    zalo_http_timeout: Annotated[float, Field(gt=0)] = 10.0
    zalo_retry_base_seconds: Annotated[float, Field(gt=0)] = 2.0
    zalo_retry_cap_seconds: Annotated[float, Field(gt=0)] = 300.0
    zalo_max_attempts: Annotated[int, Field(ge=1)] = 8
    zalo_lease_seconds: Annotated[float, Field(gt=0)] = 60.0
    zalo_poll_seconds: Annotated[float, Field(gt=0)] = 1.0
    zalo_send_concurrency: Annotated[int, Field(ge=1)] = 8
    # Images of user_send_image/user_send_file are fetched only from these hosts (and their
    # sub-domains), without following a redirect elsewhere, within these bounds.
    zalo_media_hosts: Annotated[list[str], NoDecode] = ["zadn.vn", "zdn.vn"]
    zalo_media_timeout: Annotated[float, Field(gt=0, le=120)] = 10.0

    @field_validator("dns_nameservers", "zalo_media_hosts", mode="before")
    @classmethod
    def _split_lists(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
