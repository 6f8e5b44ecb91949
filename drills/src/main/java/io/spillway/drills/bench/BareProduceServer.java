package io.spillway.drills.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.schemas.Json;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The ingest benchmark's "bare handler" baseline ({@code scripts/bench-ingest.sh}): the least an
 * HTTP-to-Kafka front door does — parse the JSON body, produce it with acks=all and the idempotent
 * producer, answer 202 with a job id from the acknowledgement — on the same Vert.x, transport,
 * event-loop count and producer batching as the ingest API, and nothing else: no authentication,
 * validation, rate limits, idempotency, tracing, metrics or backpressure. The API's accepted/s over
 * this server's, measured in the same run, is what all those features cost.
 *
 * <p>Arguments: port bootstrapServers topic. Runs until killed.
 */
public final class BareProduceServer {

  private BareProduceServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[1],
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 16 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024),
            new StringSerializer(),
            new ByteArraySerializer());
    String topic = args[2];
    producer.partitionsFor(topic); // metadata before the first request
    int eventLoops = Math.max(2, Runtime.getRuntime().availableProcessors());
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(true));
    // the API's transport settings, so that the two differ in what the handler does only
    HttpServerOptions options = new HttpServerOptions().setPort(port).setHost("127.0.0.1")
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false)
        .setStrictThreadMode(true);
    vertx.deployVerticle(() -> new Verticle(options, producer, topic), new DeploymentOptions().setInstances(eventLoops)).await();
    System.out.println("bare produce server on port " + port + " (" + (vertx.isNativeTransportEnabled() ? "epoll" : "nio") + ")");
    new CountDownLatch(1).await();
  }

  private static final class Verticle extends VerticleBase {
    private final HttpServerOptions options;
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    Verticle(HttpServerOptions options, KafkaProducer<String, byte[]> producer, String topic) {
      this.options = options;
      this.producer = producer;
      this.topic = topic;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(options).requestHandler(this::handle).listen();
    }

    private void handle(HttpServerRequest request) {
      Context context = vertx.getOrCreateContext();
      request.body().onSuccess(body -> {
        byte[] bytes = body.getBytes();
        JsonNode json;
        try {
          json = Json.mapper().readTree(bytes);
        } catch (java.io.IOException e) {
          request.response().setStatusCode(400).end();
          return;
        }
        String jobId = Long.toHexString(ThreadLocalRandom.current().nextLong());
        String key = json.path("accountId").asText(jobId);
        producer.send(new ProducerRecord<>(topic, key, bytes), (metadata, error) -> context.runOnContext(v -> {
          if (error == null) {
            request.response().setStatusCode(202).putHeader("content-type", "application/json")
                .end(Buffer.buffer("{\"jobId\":\"" + jobId + "\",\"status\":\"QUEUED\"}"));
          } else {
            request.response().setStatusCode(503).end();
          }
        }));
      });
    }
  }
}
