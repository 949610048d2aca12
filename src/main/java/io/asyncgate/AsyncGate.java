package io.asyncgate;

import akka.Done;
import akka.actor.BootstrapSetup;
import akka.actor.CoordinatedShutdown;
import akka.actor.setup.ActorSystemSetup;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.model.Uri;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import akka.management.javadsl.AkkaManagement;
import akka.pattern.Patterns;
import com.typesafe.config.Config;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.db.Database;
import io.asyncgate.http.HttpApi;
import io.asyncgate.http.NodeReadiness;
import io.asyncgate.json.Json;
import io.asyncgate.operation.RequestBuffer;
import io.asyncgate.simulator.DownstreamSimulator;
import io.asyncgate.simulator.SimulatorSettings;
import io.asyncgate.view.OperationLookup;
import io.asyncgate.view.OperationViewRepository;
import io.asyncgate.view.ResponseBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One running asyncgate node: the database, the actor system in its cluster (with Akka Management),
 * the request buffers, the response-buffer view and the HTTP API, started in that order and
 * stopped in reverse by coordinated shutdown.
 */
public final class AsyncGate implements AutoCloseable {
  /** The actor system's name, part of every cluster address (akka://asyncgate@host:port). */
  public static final String SYSTEM_NAME = "asyncgate";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /**
   * How long a status read waits for an operation's entity before it reads the journal instead: an
   * entity whose node died answers only once the split-brain resolver has moved its shard (~12 s).
   */
  private static final Duration ENTITY_READ_TIMEOUT = Duration.ofSeconds(1);

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final int managementPort;

  private AsyncGate(ActorSystem<Void> system, ServerBinding binding, int managementPort) {
    this.system = system;
    this.binding = binding;
    this.managementPort = managementPort;
  }

  /** Starts a node with the operation types of {@code config} and those given in Java. */
  public static AsyncGate start(Config config, Catalogue javaTypes) {
    Catalogue catalogue = Catalogue.fromConfig(config).with(javaTypes.types().toArray(OperationType[]::new));
    Database database = Database.open(config.getConfig("asyncgate.db"));
    ActorSystem<Void> system = null;
    try {
      if (config.getBoolean("asyncgate.db.create-schema")) {
        // Before the actor system: remembered entities write to the journal as soon as sharding starts.
        database.applySchema();
      }
      database.continueJournalOrdering();
      system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, ActorSystemSetup.create(
          BootstrapSetup.create(config), Json.serializationSetup(), new NodeReadiness.DatabaseSetup(database.dataSource())));
      // However the system stops (SIGTERM, leaving the cluster, close()), the pool closes last.
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
          "close-view-database", () -> {
            database.close();
            return CompletableFuture.completedFuture(Done.getInstance());
          });
      Uri management = AkkaManagement.get(system).start().toCompletableFuture()
          .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      joinCluster(system, config);

      if (config.getBoolean("asyncgate.simulator.enabled")) {
        // Before the request buffers, so that sagas resumed at start find their downstream listening.
        DownstreamSimulator.start(system, SimulatorSettings.fromConfig(config.getConfig("asyncgate.simulator")))
            .toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      RequestBuffer.init(system, catalogue, config.getDuration("asyncgate.processing.passivate-after"));
      ResponseBuffer.init(system, database.dataSource());

      Executor blocking = Database.blockingExecutor(system);
      OperationLookup lookup = new OperationLookup(system, new OperationViewRepository(database.dataSource()), blocking,
          ENTITY_READ_TIMEOUT);
      HttpApi api = new HttpApi(system, catalogue, lookup, config.getConfig("asyncgate.http"));
      ServerBinding binding = Http.get(system)
          .newServerAt(config.getString("asyncgate.http.interface"), config.getInt("asyncgate.http.port"))
          .bind(api.routes())
          .toCompletableFuture()
          .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      leaveGracefully(system, binding, config.getConfig("asyncgate.shutdown"));
      system.log().info("asyncgate serves HTTP on {}, management on {}, with operation types {}", binding.localAddress(),
          management, catalogue.types().stream().map(t -> t.name() + " (" + t.route() + ")").toList());
      return new AsyncGate(system, binding, management.port());
    } catch (Exception e) {
      if (system != null) {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
      }
      database.close();
      throw e instanceof RuntimeException re ? re : new IllegalStateException("asyncgate did not start: " + e.getMessage(), e);
    }
  }

  /**
   * Configured seed nodes are joined by Akka itself; Cluster Bootstrap finds the other pods and joins
   * or forms the cluster with them; with neither, the node forms a cluster of its own.
   */
  private static void joinCluster(ActorSystem<?> system, Config config) {
    if (!config.getString("asyncgate.cluster.bootstrap.discovery").isBlank()) {
      ClusterBootstrap.get(system).start();
    } else if (config.getString("asyncgate.cluster.seed-nodes").isBlank()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  /**
   * The graceful leave, in coordinated-shutdown order: readiness and submits answer 503 as soon as
   * shutdown begins ({@link NodeReadiness}); the port stays open for {@code unbind-delay} so load
   * balancers see that; then it closes and requests in flight get {@code drain-deadline} to finish;
   * after that Akka hands this node's shards to the others and leaves the cluster.
   */
  private static void leaveGracefully(ActorSystem<?> system, ServerBinding binding, Config shutdown) {
    Duration unbindDelay = shutdown.getDuration("unbind-delay");
    CoordinatedShutdown coordinated = CoordinatedShutdown.get(system);
    coordinated.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "show-not-ready-before-unbind", () -> {
      // A node downed by the split-brain resolver is no member any more: its shards are about to
      // start elsewhere, so it stops them without waiting for load balancers.
      boolean downed = coordinated.getShutdownReason().equals(Optional.of(CoordinatedShutdown.clusterDowningReason()));
      return Patterns.after(downed ? Duration.ZERO : unbindDelay, system.classicSystem().scheduler(),
          system.executionContext(), () -> CompletableFuture.completedFuture(Done.getInstance()));
    });
    binding.addToCoordinatedShutdown(shutdown.getDuration("drain-deadline"), system);
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** Where Akka Management serves /alive and /ready. */
  public int managementPort() {
    return managementPort;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Stops the node the way SIGTERM does (coordinated shutdown, which also closes the pool), and waits. */
  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
