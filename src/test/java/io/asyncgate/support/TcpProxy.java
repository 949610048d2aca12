package io.asyncgate.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP relay on a local port to a real server, which a test can {@link #cut()} — new connections
 * refused, open ones dropped, as a crashed or unreachable server looks to its clients — and
 * {@link #restore()}.
 */
public final class TcpProxy implements AutoCloseable {
  private static final int DEFAULT_POSTGRES_PORT = 5432;
  private final InetSocketAddress target;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "tcp-proxy");
    t.setDaemon(true);
    return t;
  });
  private volatile ServerSocket listener;

  private TcpProxy(InetSocketAddress target) {
    this.target = target;
  }

  /** Relays a free local port to {@code host:port}. */
  public static TcpProxy to(String host, int port) {
    return new TcpProxy(new InetSocketAddress(host, port)).listen(0);
  }

  /** Relays a free local port to the server of a {@code jdbc:postgresql://host[:port]/database} URL. */
  public static TcpProxy toServerOf(String jdbcUrl) {
    URI server = server(jdbcUrl);
    return to(server.getHost(), server.getPort() == -1 ? DEFAULT_POSTGRES_PORT : server.getPort());
  }

  /** {@code jdbcUrl} (as given to {@link #toServerOf}) reaching its database through this proxy. */
  public String proxiedJdbcUrl(String jdbcUrl) {
    return "jdbc:postgresql://127.0.0.1:" + port() + server(jdbcUrl).getPath();
  }

  private static URI server(String jdbcUrl) {
    return URI.create(jdbcUrl.substring("jdbc:".length()));
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Refuses new connections and drops every open one. */
  public synchronized void cut() {
    closeQuietly(listener);
    sockets.forEach(TcpProxy::closeQuietly);
    sockets.clear();
  }

  /** Accepts connections on the same port again. */
  public synchronized void restore() {
    listen(listener.getLocalPort());
  }

  private TcpProxy listen(int localPort) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", localPort));
      listener = socket;
      threads.execute(() -> accept(socket));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void accept(ServerSocket socket) {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Socket server = new Socket();
        synchronized (this) {
          if (socket.isClosed()) {
            // cut() ran while this connection was being accepted: it must not outlive the cut.
            closeQuietly(client);
            return;
          }
          sockets.add(client);
          sockets.add(server);
        }
        try {
          server.connect(target);
        } catch (IOException e) {
          closeQuietly(client);
          closeQuietly(server);
          continue;
        }
        threads.execute(() -> pump(client, server));
        threads.execute(() -> pump(server, client));
      } catch (IOException e) {
        return; // the listener was closed by cut() or close()
      }
    }
  }

  /** Copies bytes one way until either side closes, then closes both. */
  private void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // a side closed or was dropped: the connection is over
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing for good: nothing to do about a failure
    }
  }

  @Override
  public void close() {
    cut();
    threads.shutdownNow();
  }
}
