# The credwatch image: Airflow 3 + the project, pinned by constraints.txt.
# Every Airflow service of docker-compose.yml (api-server, scheduler,
# dag-processor, triggerer, celery workers, init) runs this one image, so the
# code a worker executes is the code the scheduler parsed.
#
#   docker compose build            # or: docker build -t credwatch-airflow:<tag> .
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AIRFLOW_HOME=/opt/airflow \
    CREDWATCH_HOME=/opt/credwatch

# curl: health checks; tini: PID 1 that reaps Scrapy subprocesses and forwards signals.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 50000 --gid 0 --home-dir /opt/airflow --create-home airflow

WORKDIR /opt/credwatch
# Dependencies first (cached until pyproject.toml or constraints.txt change).
COPY pyproject.toml constraints.txt README.md ./
COPY credwatch/__init__.py credwatch/__init__.py
RUN mkdir -p scrapers transforms warehouse expectations snapshot \
 && for p in scrapers transforms warehouse expectations snapshot; do touch $p/__init__.py; done \
 && pip install -c constraints.txt -e ".[cluster]"

# The project itself (editable install: credwatch.settings.ROOT is /opt/credwatch,
# so config/ and dags/ resolve without extra variables).
COPY credwatch/ credwatch/
COPY scrapers/ scrapers/
COPY transforms/ transforms/
COPY warehouse/ warehouse/
COPY expectations/ expectations/
COPY snapshot/ snapshot/
COPY config/ config/
COPY dags/ dags/
RUN pip install --no-deps -c constraints.txt -e . \
 && mkdir -p /opt/credwatch/lake /opt/credwatch/warehouse/work /opt/airflow/logs /opt/airflow/auth \
 && chown -R airflow:0 /opt/credwatch/lake /opt/credwatch/warehouse /opt/airflow \
 && chmod -R g+rwX /opt/credwatch/lake /opt/credwatch/warehouse /opt/airflow

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/credwatch/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    CREDWATCH_LAKE=/opt/credwatch/lake \
    CREDWATCH_WAREHOUSE=/opt/credwatch/warehouse \
    GX_ANALYTICS_ENABLED=false

USER airflow
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["airflow", "version"]
