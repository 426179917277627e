# A small non-root image: dependencies from the lock in a builder, only the venv copied.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /venv
COPY requirements.lock ./
# The lock also pins the test tools; the image installs the runtime set only.
COPY requirements.in ./
RUN /venv/bin/pip install --no-cache-dir -r requirements.in -c requirements.lock
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN /venv/bin/pip install --no-cache-dir --no-deps .

FROM python:3.11-slim
# Tesseract's Vietnamese and English data, read by the tesserocr binding (app/ocr).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /srv thatgia
COPY --from=build /venv /venv
COPY --from=build /src/alembic.ini /srv/alembic.ini
COPY --from=build /src/migrations /srv/migrations
WORKDIR /srv
USER thatgia
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    THATGIA_DATABASE_URL=sqlite:////srv/var/thatgia.db
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# Migrations first (idempotent), then the server; in production run `thatgia db upgrade`
# once per release and start replicas with `thatgia serve` only.
CMD ["sh", "-c", "mkdir -p var && thatgia db upgrade && exec thatgia serve --host 0.0.0.0 --port 8000 --workers 2"]
