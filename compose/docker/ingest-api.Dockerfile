# syntax=docker/dockerfile:1
# Multi-stage build of the ingest-api service. Build context: the repository root.
#   docker build -f compose/docker/ingest-api.Dockerfile -t spillway/ingest-api .
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -q -B --no-transfer-progress -pl ingest-api -am package -DskipTests

FROM eclipse-temurin:21-jre
RUN groupadd --system spillway && useradd --system --gid spillway --home /app spillway
WORKDIR /app
COPY --from=build /src/ingest-api/target/spillway-ingest-api.jar /app/spillway-ingest-api.jar
USER spillway
EXPOSE 8080
# Size the heap from the container's memory limit, not the host's; exit on OOM so the
# orchestrator restarts a clean process.
ENV JAVA_TOOL_OPTIONS="-XX:+UseContainerSupport -XX:MaxRAMPercentage=75 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/spillway-ingest-api.jar"]
