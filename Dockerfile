# The image a Kubernetes or ECS work pool runs (docs/orchestration.md): this repository at
# /opt/ilacs-pia with the locked dependencies and the worker extras (prefect-kubernetes, prefect-aws),
# bytecode compiled at build time so each run's fresh process does not compile what it imports.
# Not built on the development machines (no container registry reachable there): see the docs.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    GX_ANALYTICS_ENABLED=false \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    DO_NOT_TRACK=1 \
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY=30 \
    PIA_DATA_DIR=/tmp/pia

RUN pip install --no-cache-dir uv==0.13.* \
    && useradd --create-home --uid 10001 pia

WORKDIR /opt/ilacs-pia
# Dependencies first (a layer that changes only with the lock), then the code.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --extra workers --no-install-project
COPY flows ./flows
COPY sql ./sql
COPY templates ./templates
COPY expectations ./expectations
COPY prefect.yaml ./
RUN uv sync --frozen --no-dev --extra workers \
    && .venv/bin/python -m compileall -q flows

ENV PATH="/opt/ilacs-pia/.venv/bin:$PATH"
USER pia
# The Kubernetes/ECS worker starts each run with `prefect flow-run execute` in this image; the
# default command below is for a long-running worker of a process pool in a container.
CMD ["prefect", "worker", "start", "--pool", "pia-process"]
