package io.asyncgate.http;

import akka.actor.CoordinatedShutdown;
import akka.actor.setup.Setup;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import io.asyncgate.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Whether this node should get traffic: it is not shutting down, it is an Up (or WeaklyUp) member
 * of its cluster, and its database answers. Registered as an Akka Management readiness check (see
 * cluster.conf), so the management port's {@code /ready} and the public {@code /health/ready} ask
 * the same question. When not ready the answer fails with {@link NotReady}, whose message says
 * why (a plain {@code false} could not).
 */
public final class NodeReadiness implements Supplier<CompletionStage<Boolean>> {
  /** Below the management check timeout ({@code akka.management.health-checks.check-timeout}). */
  private static final int DB_CHECK_SECONDS = 2;

  private final ActorSystem<?> system;
  private final DataSource dataSource;
  private final Executor blocking;

  /** Akka Management creates it by reflection; the database comes with the system's {@link DatabaseSetup}. */
  public NodeReadiness(akka.actor.ActorSystem system) {
    this.system = Adapter.toTyped(system);
    this.dataSource = system.settings().setup().get(DatabaseSetup.class)
        .orElseThrow(() -> new IllegalStateException("the actor system was created without a NodeReadiness.DatabaseSetup"))
        .dataSource;
    this.blocking = Database.blockingExecutor(this.system);
  }

  /** Hands the node's database to the readiness check, which Akka Management creates. */
  public static final class DatabaseSetup extends Setup {
    private final DataSource dataSource;

    public DatabaseSetup(DataSource dataSource) {
      this.dataSource = dataSource;
    }
  }

  /** Once coordinated shutdown has begun (SIGTERM, leaving, close()), the node takes no new work. */
  static boolean shuttingDown(ActorSystem<?> system) {
    return CoordinatedShutdown.get(system).getShutdownReason().isPresent();
  }

  @Override
  public CompletionStage<Boolean> get() {
    if (shuttingDown(system)) {
      return CompletableFuture.failedFuture(new NotReady("the node is shutting down"));
    }
    MemberStatus status = Cluster.get(system).selfMember().status();
    if (status == MemberStatus.removed()) {
      return CompletableFuture.failedFuture(new NotReady("the node has not joined a cluster yet"));
    }
    if (status != MemberStatus.up() && status != MemberStatus.weaklyUp()) {
      return CompletableFuture.failedFuture(new NotReady("cluster member status is " + status + ", not Up"));
    }
    return CompletableFuture.supplyAsync(() -> {
      if (!databaseAnswers()) {
        throw new NotReady("the database does not answer");
      }
      return true;
    }, blocking);
  }

  private boolean databaseAnswers() {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(DB_CHECK_SECONDS);
    } catch (SQLException e) {
      throw new NotReady("the database does not answer: " + e.getMessage());
    }
  }

  /** Why the node is not ready. */
  static final class NotReady extends RuntimeException {
    NotReady(String reason) {
      super(reason, null, false, false);
    }
  }
}
