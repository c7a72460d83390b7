# syntax=docker/dockerfile:1
#
# Images of the Bulwark Flink cluster. Build context: the repository root. Build the job first:
#   mvn -B -pl flink-job -am package -DskipTests      # flink-job/target/bulwark-flink-job-<version>-job.jar
#
# Targets:
#   flink       JobManager and CPU TaskManagers: Flink 2.2.0, Bulwark's config.yaml, DJL (API, PyTorch
#               engine, JNI, CPU natives) in Flink's lib/ and the job jar in usrlib/. DJL's natives are
#               extracted to DJL_CACHE_DIR on first use.
#   flink-gpu   GPU TaskManagers: `flink` plus a CUDA 12.8 libtorch that DJL loads through
#               PYTORCH_LIBRARY_PATH / PYTORCH_VERSION / PYTORCH_FLAVOR. LIBTORCH_SOURCE picks where it
#               comes from:
#                 djl   (default) DJL downloads its pytorch-native cu128 build of libtorch 2.7.1 while
#                       the image is built (the build needs network access; no GPU needed);
#                 host  the files put in deploy/docker/libtorch/ (a libtorch lib/ directory, optionally
#                       with a libdjl_torch.so built for it); set PYTORCH_VERSION to its version.
#   submitter   `flink` plus Kafka's command-line tools: creates the topics and submits the job.

ARG FLINK_IMAGE=flink:2.2.0-java17
ARG KAFKA_IMAGE=apache/kafka:4.2.1
ARG MAVEN_IMAGE=maven:3.9.9-eclipse-temurin-17
ARG LIBTORCH_SOURCE=djl

FROM ${KAFKA_IMAGE} AS kafka-dist

# ---------------------------------------------------------------------------------------------------
# DJL jars, fetched by Maven at the versions the job is built with.
FROM ${MAVEN_IMAGE} AS djl
ARG DJL_VERSION=0.36.0
ARG PYTORCH_VERSION=2.7.1
WORKDIR /djl
COPY deploy/docker/djl/pom.xml deploy/docker/djl/FetchLibtorch.java ./
# For Flink's lib/: without what flink-dist already brings (SLF4J, commons-compress/io/codec).
RUN mvn -B -q -Ddjl.version=${DJL_VERSION} -Dpytorch.version=${PYTORCH_VERSION} \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DoutputDirectory=/djl/flink-lib \
        -DexcludeArtifactIds=slf4j-api,slf4j-simple,commons-compress,commons-io,commons-codec,error_prone_annotations
# For FetchLibtorch: no CPU natives, so DJL downloads the flavor it is asked for.
RUN mvn -B -q -o -Ddjl.version=${DJL_VERSION} -Dpytorch.version=${PYTORCH_VERSION} \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DoutputDirectory=/djl/fetch-cp \
        -DexcludeArtifactIds=pytorch-native-cpu

# ---------------------------------------------------------------------------------------------------
FROM ${FLINK_IMAGE} AS flink
ARG FLINK_VERSION=2.2.0
ARG JOB_JAR=flink-job/target/bulwark-flink-job-0.1.0-SNAPSHOT-job.jar
USER root

# Flink's distribution ships the GPU driver under plugins/external-resource-gpu/, and Flink loads every
# folder of plugins/ in every process. This image keeps the driver jar in opt/ only, so that
# ENABLE_BUILT_IN_PLUGINS=flink-external-resource-gpu-<version>.jar enables it where it is wanted (the
# GPU TaskManagers). Bulwark brings its own discovery script (bin/bulwark-gpu-discovery.sh).
RUN set -eu; \
    cd /opt/flink; \
    jar="flink-external-resource-gpu-${FLINK_VERSION}.jar"; \
    if [ -f "plugins/external-resource-gpu/${jar}" ] && [ ! -f "opt/${jar}" ]; then \
        cp "plugins/external-resource-gpu/${jar}" "opt/${jar}"; \
    fi; \
    rm -rf plugins/external-resource-gpu; \
    if [ ! -f "opt/${jar}" ]; then \
        echo "GPU external-resource driver ${jar} is in neither opt/ nor plugins/ of the Flink image" >&2; \
        exit 1; \
    fi; \
    test -f plugins/metrics-prometheus/flink-metrics-prometheus-${FLINK_VERSION}.jar \
        || test -f opt/flink-metrics-prometheus-${FLINK_VERSION}.jar \
        || { echo "flink-metrics-prometheus-${FLINK_VERSION}.jar not found" >&2; exit 1; }; \
    mkdir -p /flink-data/checkpoints /flink-data/savepoints /var/cache/djl /opt/flink/usrlib; \
    chown -R flink:flink /flink-data /var/cache/djl /opt/flink/usrlib /opt/flink/opt

# DJL loads its native libraries once per JVM: from lib/ (parent-first, see config.yaml) they survive job
# restarts, which give the job a new user-code classloader.
COPY --from=djl --chown=flink:flink /djl/flink-lib/ /opt/flink/lib/
COPY --chown=flink:flink --chmod=0644 deploy/flink/config.yaml /opt/flink/conf/config.yaml
COPY --chown=flink:flink --chmod=0755 deploy/flink/bulwark-gpu-discovery.sh /opt/flink/bin/bulwark-gpu-discovery.sh
COPY --chown=flink:flink --chmod=0644 ${JOB_JAR} /opt/flink/usrlib/bulwark-flink-job.jar

# DJL: natives are unpacked once per volume into DJL_CACHE_DIR; no usage reporting.
ENV DJL_CACHE_DIR=/var/cache/djl \
    OPT_OUT_TRACKING=true \
    BULWARK_JOB_JAR=/opt/flink/usrlib/bulwark-flink-job.jar

USER flink

# ---------------------------------------------------------------------------------------------------
# libtorch for CUDA, fetched by DJL itself (LIBTORCH_SOURCE=djl).
FROM djl AS libtorch-djl
ARG PYTORCH_VERSION=2.7.1
ARG PYTORCH_FLAVOR=cu128
# The engine jar names no native package, so DJL downloads the PYTORCH_FLAVOR build into DJL_CACHE_DIR.
RUN DJL_CACHE_DIR=/djl-cache PYTORCH_FLAVOR=${PYTORCH_FLAVOR} OPT_OUT_TRACKING=true \
        java -cp '/djl/fetch-cp/*' FetchLibtorch.java /djl-cache ${PYTORCH_VERSION} ${PYTORCH_FLAVOR} /libtorch

# libtorch provided by the host (LIBTORCH_SOURCE=host): the contents of deploy/docker/libtorch/.
FROM ${FLINK_IMAGE} AS libtorch-host
COPY deploy/docker/libtorch/ /libtorch/
RUN test -f /libtorch/libtorch.so \
    || { echo "deploy/docker/libtorch/ holds no libtorch.so: copy a libtorch lib/ directory there" >&2; exit 1; }

FROM libtorch-${LIBTORCH_SOURCE} AS libtorch

# ---------------------------------------------------------------------------------------------------
FROM flink AS flink-gpu
ARG PYTORCH_VERSION=2.7.1
ARG PYTORCH_FLAVOR=cu128
COPY --from=libtorch --chown=flink:flink /libtorch/ /opt/libtorch/
# DJL loads libtorch from PYTORCH_LIBRARY_PATH instead of the CPU natives in lib/, and takes the JNI
# for PYTORCH_VERSION/PYTORCH_FLAVOR from pytorch-jni in lib/ (or a libdjl_torch.so next to libtorch).
ENV PYTORCH_LIBRARY_PATH=/opt/libtorch \
    PYTORCH_VERSION=${PYTORCH_VERSION} \
    PYTORCH_FLAVOR=${PYTORCH_FLAVOR} \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

# ---------------------------------------------------------------------------------------------------
FROM flink AS submitter
USER root
COPY --from=kafka-dist --chown=flink:flink /opt/kafka /opt/kafka
COPY --chown=flink:flink --chmod=0755 deploy/bin/bulwark-init.sh /opt/bulwark/bin/bulwark-init.sh
ENV PATH=/opt/kafka/bin:/opt/bulwark/bin:${PATH}
USER flink
ENTRYPOINT ["/opt/bulwark/bin/bulwark-init.sh"]
