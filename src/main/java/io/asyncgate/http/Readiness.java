package io.asyncgate.http;

import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import java.sql.Connection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/** Whether this node should get traffic: it is an Up member of its cluster and its database answers. */
final class Readiness {
  private static final int DB_CHECK_SECONDS = 2;

  private final ActorSystem<?> system;
  private final DataSource dataSource;
  private final Executor blocking;

  Readiness(ActorSystem<?> system, DataSource dataSource, Executor blocking) {
    this.system = system;
    this.dataSource = dataSource;
    this.blocking = blocking;
  }

  /** Empty when ready; otherwise why not. */
  CompletionStage<Optional<String>> check() {
    MemberStatus status = Cluster.get(system).selfMember().status();
    if (status != MemberStatus.up()) {
      return CompletableFuture.completedFuture(Optional.of("cluster member status is " + status + ", not Up"));
    }
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = dataSource.getConnection()) {
        return c.isValid(DB_CHECK_SECONDS) ? Optional.<String>empty() : Optional.of("the database does not answer");
      } catch (Exception e) {
        return Optional.of("the database does not answer: " + e.getMessage());
      }
    }, blocking);
  }
}
