# syntax=docker/dockerfile:1
#
# Image of the Bulwark serving process. Build context: the repository root. Build serving first:
#   mvn -B -pl serving -am package -DskipTests      # serving/target/lib/ + serving/target/bulwark-serving-*.jar
#
# Options come from the environment (see deploy/bin/bulwark-serving.sh and deploy/bulwark.env.example).
# DJL's CPU natives ship in target/lib; they are unpacked into DJL_CACHE_DIR on first use.

ARG JRE_IMAGE=eclipse-temurin:17.0.15_6-jre-noble

FROM ${JRE_IMAGE}
ARG SERVING_JAR=serving/target/bulwark-serving-0.1.0-SNAPSHOT.jar

RUN groupadd --system --gid 10001 bulwark \
    && useradd --system --uid 10001 --gid bulwark --home-dir /opt/bulwark --no-create-home bulwark \
    && mkdir -p /opt/bulwark/serving/lib /var/cache/djl \
    && chown bulwark:bulwark /var/cache/djl

COPY --chmod=0644 serving/target/lib/ /opt/bulwark/serving/lib/
COPY --chmod=0644 ${SERVING_JAR} /opt/bulwark/serving/lib/
COPY --chmod=0755 deploy/bin/bulwark-serving.sh /opt/bulwark/bin/bulwark-serving.sh

ENV BULWARK_SERVING_HOME=/opt/bulwark/serving \
    DJL_CACHE_DIR=/var/cache/djl \
    OPT_OUT_TRACKING=true

USER bulwark
EXPOSE 8080
ENTRYPOINT ["/opt/bulwark/bin/bulwark-serving.sh"]
