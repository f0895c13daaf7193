package io.rapport.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between Rapport and PostgreSQL that can misbehave the way networks do. Hand-written
 * because the libraries that do this (Toxiproxy) need a server process of their own, and this is
 * short: one thread per direction per connection, which suits a test's few dozen connections.
 *
 * <ul>
 *   <li>{@link Mode#PASS}: bytes flow.
 *   <li>{@link Mode#BLACK_HOLE}: bytes are held, in both directions and on new connections, until
 *       the mode changes, as TCP holds them through a partition; nothing answers meanwhile.
 *   <li>{@link Mode#DELAY}: every chunk waits {@link #delayMillis} before it is forwarded.
 *   <li>{@link Mode#RESET}: open connections are reset (RST), and new ones reset at once.
 * </ul>
 *
 * <p>{@link #blackHoleAfter} switches to a black hole in the middle of a statement: once the bytes
 * Rapport sends hold a marker, as when the server stalls while a statement is under way. {@link
 * #partitionAfter} cuts the network of that one connection instead: bytes either way are lost, and
 * Rapport closing its end is never heard by PostgreSQL, whose session stays open, its transaction
 * and locks with it, as after a partition until TCP keepalive notices (hours, by default).
 */
public final class FaultProxy implements AutoCloseable {

    public enum Mode {
        PASS,
        BLACK_HOLE,
        DELAY,
        RESET
    }

    private final ServerSocket server;
    private final int upstreamPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMillis;
    private volatile boolean closed;
    private volatile byte[] marker;
    private volatile boolean partitionOnMarker;
    /** Both sockets of each connection {@link #partitionAfter} cut: their bytes are lost for good. */
    private final Set<Socket> cut = ConcurrentHashMap.newKeySet();

    public FaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public Mode mode() {
        return mode;
    }

    public void pass() {
        marker = null;
        partitionOnMarker = false;
        mode = Mode.PASS;
    }

    public void blackHole() {
        mode = Mode.BLACK_HOLE;
    }

    /** Passes bytes until Rapport sends {@code text}, forwards that chunk, then holds everything. */
    public void blackHoleAfter(String text) {
        marker = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        mode = Mode.PASS;
    }

    /** Passes bytes until Rapport sends {@code text}, forwards that chunk, then cuts that connection (see above). */
    public void partitionAfter(String text) {
        partitionOnMarker = true;
        marker = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        mode = Mode.PASS;
    }

    public void delay(long millis) {
        delayMillis = millis;
        mode = Mode.DELAY;
    }

    /** Resets every open connection; new ones are reset too until the mode changes. */
    public void reset() {
        mode = Mode.RESET;
        for (Socket s : open) {
            abort(s);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (mode == Mode.RESET) {
                    abort(client);
                    continue;
                }
                Socket upstream = new Socket();
                try {
                    upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 2000);
                } catch (IOException refused) {
                    // PostgreSQL is stopped: the client sees its connection reset, as it would directly.
                    abort(client);
                    continue;
                }
                open.add(client);
                open.add(upstream);
                pump(client, upstream, "up");
                pump(upstream, client, "down");
            } catch (IOException e) {
                // The listening socket was closed: the proxy is shutting down.
            }
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[16 * 1024];
                    // Not closed with the reader: closing a socket's stream closes the socket, and a
                    // partition must leave PostgreSQL's end open. The finally below closes what goes.
                    try (InputStream in = from.getInputStream()) {
                        OutputStream out = to.getOutputStream();
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            holdWhileBlackHoled(from);
                            if (cut.contains(from)) {
                                continue; // lost on the way
                            }
                            if (mode == Mode.DELAY) {
                                Thread.sleep(delayMillis);
                            }
                            if (mode == Mode.RESET) {
                                break;
                            }
                            out.write(buf, 0, n);
                            out.flush();
                            byte[] m = marker;
                            if (m != null && direction.equals("up") && contains(buf, n, m)) {
                                marker = null;
                                if (partitionOnMarker) {
                                    cut.add(from);
                                    cut.add(to);
                                } else {
                                    mode = Mode.BLACK_HOLE;
                                }
                            }
                        }
                    } catch (IOException | InterruptedException e) {
                        // The other side went away or was reset: close both halves below.
                    } finally {
                        if (cut.contains(from) && direction.equals("up")) {
                            // Rapport closed its end; PostgreSQL's stays open, as nothing reaches it.
                            closeQuietly(from);
                            open.add(to);
                        } else if (mode == Mode.RESET) {
                            abort(from);
                            abort(to);
                        } else {
                            cut.remove(from);
                            cut.remove(to);
                            closeQuietly(from);
                            closeQuietly(to);
                        }
                    }
                },
                "fault-proxy-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] buf, int n, byte[] m) {
        outer:
        for (int i = 0; i + m.length <= n; i++) {
            for (int k = 0; k < m.length; k++) {
                if (buf[i + k] != m[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private void holdWhileBlackHoled(Socket from) throws InterruptedException {
        while (mode == Mode.BLACK_HOLE && !from.isClosed() && !closed) {
            Thread.sleep(20);
        }
    }

    private void abort(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // Already closed.
        }
        closeQuietly(s);
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // Nothing to do.
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            closeQuietly(s);
        }
    }
}
