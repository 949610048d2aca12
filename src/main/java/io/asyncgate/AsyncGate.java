package io.asyncgate;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.dispatch.MessageDispatcher;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import io.asyncgate.catalogue.Catalogue;
import io.asyncgate.catalogue.OperationType;
import io.asyncgate.db.Database;
import io.asyncgate.http.HttpApi;
import io.asyncgate.request.RequestBuffer;
import io.asyncgate.view.OperationLookup;
import io.asyncgate.view.OperationViewRepository;
import io.asyncgate.view.ResponseBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One running asyncgate node: the database, the actor system in its cluster, the request buffers,
 * the response-buffer view and the HTTP API, started in that order and stopped in reverse.
 */
public final class AsyncGate implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final ActorSystem<Void> system;
  private final ServerBinding binding;

  private AsyncGate(ActorSystem<Void> system, ServerBinding binding) {
    this.system = system;
    this.binding = binding;
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
      system = ActorSystem.create(Behaviors.empty(), "asyncgate", config);
      // However the system stops (SIGTERM, leaving the cluster, close()), the pool closes last.
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
          "close-view-database", () -> {
            database.close();
            return CompletableFuture.completedFuture(Done.getInstance());
          });
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));

      RequestBuffer.init(system, catalogue, config.getDuration("asyncgate.processing.passivate-after"));
      ResponseBuffer.init(system, database.dataSource());

      MessageDispatcher blocking = (MessageDispatcher) system.classicSystem().dispatchers().lookup("asyncgate-db-dispatcher");
      OperationLookup lookup = new OperationLookup(system, new OperationViewRepository(database.dataSource()), (Executor) blocking);
      HttpApi api = new HttpApi(system, catalogue, lookup, config.getConfig("asyncgate.http"),
          database.dataSource(), (Executor) blocking);
      ServerBinding binding = Http.get(system)
          .newServerAt(config.getString("asyncgate.http.interface"), config.getInt("asyncgate.http.port"))
          .bind(api.routes())
          .toCompletableFuture()
          .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
          // On shutdown: stop accepting, let requests in flight finish, then leave the cluster.
          .addToCoordinatedShutdown(Duration.ofSeconds(10), system);
      system.log().info("asyncgate serves HTTP on {} with operation types {}", binding.localAddress(),
          catalogue.types().stream().map(t -> t.name() + " (" + t.route() + ")").toList());
      return new AsyncGate(system, binding);
    } catch (Exception e) {
      if (system != null) {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
      }
      database.close();
      throw e instanceof RuntimeException re ? re : new IllegalStateException("asyncgate did not start: " + e.getMessage(), e);
    }
  }

  public int httpPort() {
    return binding.localAddress().getPort();
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
