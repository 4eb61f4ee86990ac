# One image for every container of compose.yaml: `scamnet serve`, the one-shot
# commands (`db upgrade`, `ingest`, `features`, `resolve`), and the Spark master and
# workers. The Spark daemons are PySpark's own Spark distribution, so the driver and
# the executors run the same Spark, the same Python and the same jars (Splink's
# similarity UDFs included): no version to keep in step between two images.
#
# Not built on the project's machines (no container registry is reachable there to
# pull the base image); see docs/scale.md.
FROM python:3.11-slim

# Java 17 for Spark; procps because Spark's launch scripts call `ps`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless procps \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/scamnet
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir ".[postgres,spark]" \
    && useradd --create-home --uid 1000 scamnet \
    && mkdir -p /data && chown scamnet /data

ENV SPARK_HOME=/usr/local/lib/python3.11/site-packages/pyspark \
    PYSPARK_PYTHON=/usr/local/bin/python \
    SCAMNET_DATA_DIR=/data \
    PATH=/usr/local/lib/python3.11/site-packages/pyspark/bin:$PATH

# Spark advertises the address executors and the driver call back on: the
# container's own IP, which every container of the compose network reaches (a
# container's host name is not in the network's DNS).
RUN printf '%s\n' '#!/bin/sh' \
        'address="$(hostname -i | cut -d" " -f1)"' \
        'export SPARK_LOCAL_IP="$address" SPARK_LOCAL_HOSTNAME="$address"' \
        'exec "$@"' > /usr/local/bin/with-spark-address \
    && chmod 0755 /usr/local/bin/with-spark-address

USER scamnet
EXPOSE 8000
ENTRYPOINT ["with-spark-address"]
CMD ["scamnet", "serve", "--host", "0.0.0.0", "--port", "8000"]
