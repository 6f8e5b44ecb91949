package io.spillway.devstack;

import io.spillway.schemas.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline's topics that do not exist yet, each with its partition count, and returns
 * once every new partition has a leader. An idempotent producer that writes to a partition before
 * its leader is in place gets NOT_LEADER_OR_FOLLOWER, then OUT_OF_ORDER_SEQUENCE_NUMBER for the
 * batches behind it, and some of those fail (bench-workers lost 18 of 200,000 preloaded jobs so).
 */
public final class TopicCreator {

  private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);

  private TopicCreator() {}

  /**
   * @param replication the replication factor: 1 on the local broker, 3 in a real deployment
   */
  public static void create(String bootstrap, Topics topics, short replication) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing =
          topics.all().stream()
              .filter(spec -> !existing.contains(spec.name()))
              .map(spec -> new NewTopic(spec.name(), spec.partitions(), replication))
              .toList();
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      List<String> names = missing.stream().map(NewTopic::name).toList();
      awaitLeaders(admin, missing);
      log.info("Created topics {}", names);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics on " + bootstrap + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  /**
   * Waits until the leader of every new partition answers for it. The metadata names a partition's
   * leader a moment before that broker has taken the partition on, so a ListOffsets to each leader —
   * which the admin client retries while it gets NOT_LEADER_OR_FOLLOWER — is the test.
   */
  private static void awaitLeaders(Admin admin, List<NewTopic> topics) throws ExecutionException, TimeoutException, InterruptedException {
    Map<TopicPartition, OffsetSpec> partitions = new java.util.HashMap<>();
    for (NewTopic topic : topics) {
      for (int p = 0; p < topic.numPartitions(); p++) {
        partitions.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
      }
    }
    admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS);
  }
}
