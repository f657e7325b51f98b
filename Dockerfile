# The router image used by deploy/kubernetes (build after `mvn -B -DskipTests package`):
#   docker build -t ghcr.io/omnirouter/omnirouter:0.1.0 .
# Not built in CI (no container runtime there); see docs/DEPLOY.md.
FROM eclipse-temurin:17-jre
WORKDIR /opt/omnirouter
COPY server/target/lib/ lib/
COPY server/target/server-0.1.0-SNAPSHOT.jar lib/
COPY conf/ conf/
COPY deploy/entrypoint.sh bin/entrypoint.sh
EXPOSE 8080 25520 9095
ENV OMNIROUTER_JAVA_OPTS="-XX:MaxRAMPercentage=70 -XX:+UseG1GC"
# joins a running cluster through the peers that answer (OMNIROUTER_PEERS), else the configured seeds
ENTRYPOINT ["bash", "bin/entrypoint.sh"]
CMD ["conf/application.conf"]
