# The router image used by deploy/kubernetes (build after `mvn -B -DskipTests package`):
#   docker build -t ghcr.io/omnirouter/omnirouter:0.1.0 .
# Not built in CI (no container runtime there); see docs/DEPLOY.md.
FROM eclipse-temurin:17-jre
WORKDIR /opt/omnirouter
COPY server/target/lib/ lib/
COPY server/target/server-0.1.0-SNAPSHOT.jar lib/
COPY conf/ conf/
EXPOSE 8080 25520 9095
ENV OMNIROUTER_JAVA_OPTS="-XX:MaxRAMPercentage=70 -XX:+UseG1GC"
ENTRYPOINT ["sh", "-c", "exec java $OMNIROUTER_JAVA_OPTS -Domnirouter.log.dir=/tmp -Dlogback.configurationFile=conf/logback.xml -cp 'lib/*' io.omnirouter.server.Main \"$@\"", "--"]
CMD ["conf/application.conf"]
