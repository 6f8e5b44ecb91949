package io.spillway.cli.load;

import io.spillway.cli.UsageError;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongToDoubleFunction;

/**
 * The load generator's HTTP/1.1 client, built like wrk: one thread, one selector, up to N
 * keep-alive connections with one request in flight on each. Requests are written from bytes and
 * answers parsed only as far as status, framing and (for sampled jobs) the body, so a request costs
 * the generator a few microseconds and it does not take from the server it measures the CPU it
 * shares with it. Plain {@code http://} only. Not thread-safe: run one test per instance.
 */
final class HttpLoadClient implements AutoCloseable {

  /** A request not answered this long after it was written fails as {@code timeout}. */
  static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(35);
  private static final long CONNECT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long INACTIVE_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
  private static final String[] STATUS = new String[600];

  static {
    for (int i = 0; i < STATUS.length; i++) {
      STATUS[i] = String.valueOf(i);
    }
  }

  private final Selector selector;
  private final InetSocketAddress address;
  private final String basePath;
  private final String hostHeader;
  private final byte[] headers;
  /** Where answers count: nowhere that is reported until {@link #measureInto}. */
  private LoadRecorder recorder = new LoadRecorder();
  private final Consumer<String> accepted;
  private int samplesLeft;
  private final Conn[] conns;
  private final ArrayDeque<Conn> idle = new ArrayDeque<>();
  private final ArrayDeque<Conn> unopened = new ArrayDeque<>();
  private int busy;
  /** Open loop: requests take any idle connection, else open one; closed loop: each user has its own. */
  private final boolean pooled;
  private long lastTimeoutScan;
  private FreeHandler onFree = (conn, now, outcome) -> {};

  /**
   * @param api the API's base URL ({@code http://host:port[/prefix]})
   * @param connections at most this many connections, hence requests in flight
   * @param pooled true for an open loop (requests share the connections), false for a closed loop
   *     (each user has its own)
   * @param accepted takes the sampled 202 answers' bodies (see {@link #measureInto}) on the
   *     generator's one thread, while the clock runs: it must only keep them (parse them after the
   *     test), or every request scheduled meanwhile is late
   */
  HttpLoadClient(String api, String apiKey, int connections, boolean pooled, Consumer<String> accepted) throws IOException {
    URI uri = URI.create(api);
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new UsageError("spillway load speaks plain HTTP/1.1: --api must be an http://host:port URL, not '" + api + "'");
    }
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    this.address = new InetSocketAddress(uri.getHost(), port);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    this.hostHeader = uri.getHost() + ":" + port;
    this.headers = (" HTTP/1.1\r\nHost: " + hostHeader + "\r\nAuthorization: Bearer " + apiKey
        + "\r\nContent-Type: application/json\r\nContent-Length: ").getBytes(StandardCharsets.ISO_8859_1);
    this.accepted = accepted;
    this.pooled = pooled;
    this.selector = Selector.open();
    this.conns = new Conn[Math.max(1, connections)];
    for (int i = 0; i < conns.length; i++) {
      conns[i] = new Conn(i);
      unopened.add(conns[i]);
    }
  }

  /**
   * Opens every connection before the clock starts, as wrk does, so that the test measures
   * requests rather than a storm of TCP handshakes in its first second (which, under an open loop,
   * feeds itself: a late start leaves a backlog that opens yet more connections). A connection not
   * up within the timeout is left closed and opened when first needed.
   */
  void connectAll(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int pending = 0;
    for (Conn conn : conns) {
      try {
        conn.channel = SocketChannel.open();
        conn.channel.configureBlocking(false);
        conn.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        conn.connected = conn.channel.connect(address);
        conn.key = conn.channel.register(selector, conn.connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, conn);
        pending += conn.connected ? 0 : 1;
      } catch (IOException e) {
        conn.close();
        break; // the server is not there (or no more sockets): the test will say so
      }
    }
    while (pending > 0 && System.nanoTime() < deadline) {
      selector.select(100);
      Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
      while (keys.hasNext()) {
        SelectionKey key = keys.next();
        keys.remove();
        Conn conn = (Conn) key.attachment();
        if (key.isValid() && key.isConnectable()) {
          pending--;
          try {
            conn.channel.finishConnect();
            conn.connected = true;
            key.interestOps(SelectionKey.OP_READ);
          } catch (IOException e) {
            conn.close();
          }
        } else if (key.isValid() && key.isReadable() && conn.connected) {
          conn.close(); // closed by the server before any request
        }
      }
    }
    for (Conn conn : conns) {
      if (conn.channel != null && !conn.connected) {
        conn.close();
      }
    }
    prime(deadline);
    idle.clear();
    unopened.clear();
    for (Conn conn : conns) {
      if (pooled) {
        if (conn.connected) {
          idle.push(conn);
        } else {
          unopened.add(conn);
        }
      }
    }
  }

  /**
   * Sends one unmeasured {@code GET /healthz} on every open connection and waits for the answers.
   * A connection the kernel has accepted may not yet have been taken up by the server; a thousand
   * of them taken up in the test's first second would show as latency of the first requests. A
   * connection that fails or does not answer in time is closed (and reopened when needed).
   */
  private void prime(long deadline) throws IOException {
    byte[] probe = ("GET " + basePath + "/healthz HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    boolean[] waiting = new boolean[conns.length];
    int pending = 0;
    for (Conn conn : conns) {
      if (!conn.connected) {
        continue;
      }
      try {
        ByteBuffer out = ByteBuffer.wrap(probe);
        conn.channel.write(out);
        if (out.hasRemaining()) {
          throw new IOException("probe not written");
        }
        waiting[conn.index] = true;
        pending++;
      } catch (IOException e) {
        conn.close();
      }
    }
    while (pending > 0 && System.nanoTime() < deadline) {
      selector.select(100);
      Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
      while (keys.hasNext()) {
        SelectionKey key = keys.next();
        keys.remove();
        Conn conn = (Conn) key.attachment();
        if (!waiting[conn.index] || !key.isValid() || !key.isReadable()) {
          continue;
        }
        try {
          if (conn.channel.read(conn.in) < 0) {
            throw new IOException("closed");
          }
          if (!conn.parse() || conn.untilClose) {
            continue;
          }
          waiting[conn.index] = false;
          pending--;
          conn.in.clear();
          if (conn.closeAfter) {
            conn.close();
          }
        } catch (IOException e) {
          waiting[conn.index] = false;
          pending--;
          conn.close();
        }
      }
    }
    for (Conn conn : conns) {
      if (waiting[conn.index]) {
        conn.close();
      }
    }
  }

  private static final long WARM_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);

  /**
   * Runs the generator's real code (workload, encoding, the selector loop, parsing, recording) for
   * a moment against an in-process loopback server, so that it is compiled before the test starts. A
   * cold generator falls behind in its first second, and its compiler threads take CPU from a
   * server on the same machine; either would count as the server's latency. Nothing is sent to the
   * API and nothing is recorded. Best effort.
   */
  static void warmUp(String apiKey, Workload workload, double rate) {
    try (WarmUpServer server = new WarmUpServer();
        HttpLoadClient client = new HttpLoadClient(server.url(), apiKey, 64, true, body -> {})) {
      client.connectAll(Duration.ofSeconds(2));
      long start = System.nanoTime();
      double warmRate = Math.min(rate, 20_000);
      client.runOpen(workload, sinceStart -> warmRate, start, start + WARM_UP_NANOS);
    } catch (IOException | RuntimeException e) {
      // a colder start, not a failed test
    }
  }

  /**
   * From now on, answers count in {@code recorder}, and the bodies of the first {@code samples}
   * 202 answers go to {@code accepted}. Until then (a warm-up) nothing is measured or sampled.
   */
  void measureInto(LoadRecorder recorder, int samples) {
    this.recorder = recorder;
    this.samplesLeft = samples;
  }

  /**
   * Open loop: requests arrive on schedule (at {@code rate(nanosSinceStart)} per second) whatever
   * the answers; one that finds every connection busy waits, and its wait counts in its latency,
   * which runs from its intended send time.
   */
  void runOpen(Workload workload, LongToDoubleFunction rate, long start, long end) throws IOException {
    SplittableRandom random = new SplittableRandom(1);
    ArrayDeque<Pending> backlog = new ArrayDeque<>();
    onFree = (conn, now, outcome) -> {
      if (conn.channel == null) {
        return; // closed: back among the unopened slots
      }
      if (backlog.isEmpty()) {
        idle.push(conn); // last in, first out: the busy set stays small and warm
      } else {
        Pending p = backlog.poll();
        send(conn, p.intendedNanos, p.job, now);
      }
    };
    long next = start;
    while (true) {
      long now = System.nanoTime();
      while (next < end && next <= now) {
        backlog.add(new Pending(next, workload.next(random)));
        recorder.sent();
        recorder.dueLate((now - next) / 1000);
        next += (long) (1e9 / rate.applyAsDouble(next - start));
      }
      while (!backlog.isEmpty()) {
        Conn conn = idle.isEmpty() ? unopened.poll() : idle.poll();
        if (conn == null) {
          break;
        }
        Pending p = backlog.poll();
        send(conn, p.intendedNanos, p.job, now);
      }
      if (next >= end && backlog.isEmpty() && busy == 0) {
        return;
      }
      if (now - end > GRACE_NANOS) {
        for (Pending p : backlog) {
          recorder.record((now - p.intendedNanos) / 1000, "timeout");
        }
        return;
      }
      poll(now, next < end ? next - now : TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  /**
   * Closed loop: each of {@code users} virtual users has its own connection and sends as soon as
   * its last answer came (plus {@code pause}); only the first {@code active(nanosSinceStart)} users
   * send at a time.
   */
  void runClosed(int users, LongToDoubleFunction active, Duration pause, Workload workload, long start, long end) throws IOException {
    if (users > conns.length) {
      throw new IllegalArgumentException("more users than connections");
    }
    SplittableRandom[] randoms = new SplittableRandom[users];
    PriorityQueue<long[]> timers = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    for (int u = 0; u < users; u++) {
      randoms[u] = new SplittableRandom(u);
      timers.add(new long[] {start, u});
    }
    long thinkNanos = pause.toNanos();
    onFree = (conn, now, outcome) -> {
      if (now >= end) {
        return;
      }
      long wait = "connect".equals(outcome) ? CONNECT_BACKOFF_NANOS : thinkNanos;
      if (wait > 0) {
        timers.add(new long[] {now + wait, conn.index});
      } else {
        startUser(conn.index, randoms, active, workload, timers, start, now);
      }
    };
    while (true) {
      long now = System.nanoTime();
      while (!timers.isEmpty() && timers.peek()[0] <= now && now < end) {
        startUser((int) timers.poll()[1], randoms, active, workload, timers, start, now);
      }
      if (now >= end && busy == 0) {
        return;
      }
      if (now - end > GRACE_NANOS) {
        return;
      }
      long wait = now >= end || timers.isEmpty() ? TimeUnit.MILLISECONDS.toNanos(100) : Math.max(0, timers.peek()[0] - now);
      poll(now, wait);
    }
  }

  private void startUser(int user, SplittableRandom[] randoms, LongToDoubleFunction active, Workload workload, PriorityQueue<long[]> timers,
      long start, long now) {
    if (user >= Math.ceil(active.applyAsDouble(now - start))) {
      timers.add(new long[] {now + INACTIVE_RECHECK_NANOS, user});
      return;
    }
    recorder.sent();
    send(conns[user], now, workload.next(randoms[user]), now);
  }

  /**
   * Waits up to {@code waitNanos} for I/O and handles it. It sleeps in whole milliseconds, as
   * wrk2's timers do: the sends that fall due meanwhile go out together when it wakes (about a
   * millisecond late at most, or at the next answer), and that lateness counts in their latency,
   * which runs from the intended send time. Waking for each request instead (20,000 wake-ups a
   * second at 20,000 req/s) cost the generator 23-24 µs of CPU per request against 15-19, and the
   * server, which then got its requests one at a time, 35-43 against 32-37 (a slow 2-core machine,
   * alternating runs). The price is in the figures, not hidden: the median rose by 0.7-1.2 ms.
   */
  private void poll(long now, long waitNanos) throws IOException {
    int ready = waitNanos <= 0 ? selector.selectNow() : selector.select((waitNanos + 999_999) / 1_000_000);
    if (ready > 0) {
      Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
      while (keys.hasNext()) {
        SelectionKey key = keys.next();
        keys.remove();
        handle((Conn) key.attachment(), key);
      }
    }
    long after = System.nanoTime();
    if (after - lastTimeoutScan > 100_000_000L) {
      lastTimeoutScan = after;
      for (Conn conn : conns) {
        if (conn.busy && after - conn.sentNanos > TIMEOUT_NANOS) {
          fail(conn, "timeout", after);
        }
      }
    }
  }

  private void send(Conn conn, long intendedNanos, Workload.Job job, long now) {
    conn.busy = true;
    busy++;
    conn.intendedNanos = intendedNanos;
    conn.sentNanos = now;
    conn.encode(job);
    try {
      if (conn.channel == null) {
        conn.open();
        return;
      }
      conn.write();
    } catch (IOException e) {
      fail(conn, e instanceof ConnectException ? "connect" : "io", System.nanoTime());
    }
  }

  private void handle(Conn conn, SelectionKey key) {
    long now = System.nanoTime();
    try {
      if (!key.isValid()) {
        return;
      }
      if (key.isConnectable()) {
        conn.channel.finishConnect();
        conn.connected = true;
        conn.write();
        return;
      }
      if (key.isWritable()) {
        conn.write();
      }
      if (key.isReadable()) {
        conn.read(now);
      }
    } catch (ConnectException e) {
      fail(conn, "connect", now);
    } catch (IOException e) {
      if (conn.busy) {
        fail(conn, conn.connected ? "io" : "connect", now);
      } else {
        conn.close();
      }
    }
  }

  private void complete(Conn conn, int status, long now) {
    String outcome = status >= 0 && status < STATUS.length ? STATUS[status] : String.valueOf(status);
    recorder.record((now - conn.intendedNanos) / 1000, outcome);
    if (status == 202 && samplesLeft > 0) {
      samplesLeft--;
      accepted.accept(conn.body());
    }
    conn.busy = false;
    busy--;
    conn.in.clear();
    if (conn.closeAfter) {
      conn.close();
    }
    onFree.free(conn, now, outcome);
  }

  private void fail(Conn conn, String outcome, long now) {
    recorder.record((now - conn.intendedNanos) / 1000, outcome);
    conn.busy = false;
    busy--;
    conn.close();
    onFree.free(conn, now, outcome);
  }

  @Override
  public void close() throws IOException {
    for (Conn conn : conns) {
      if (conn.channel != null) {
        conn.channel.close();
      }
    }
    selector.close();
  }

  @FunctionalInterface
  private interface FreeHandler {
    /** A connection finished an exchange (answered or failed) and can take the next one. */
    void free(Conn conn, long nowNanos, String outcome);
  }

  private record Pending(long intendedNanos, Workload.Job job) {}

  /** One connection slot: closed, connecting, idle or with one request in flight. */
  private final class Conn {
    final int index;
    SocketChannel channel;
    SelectionKey key;
    boolean connected;
    boolean busy;
    long intendedNanos;
    long sentNanos;
    ByteBuffer out = ByteBuffer.allocate(1024);
    ByteBuffer in = ByteBuffer.allocate(8192);
    // the answer being read
    boolean closeAfter;
    boolean untilClose;
    boolean chunked;
    int bodyStart;
    int bodyEnd;
    int status;

    Conn(int index) {
      this.index = index;
    }

    void encode(Workload.Job job) {
      byte[] body = job.body().getBytes(StandardCharsets.UTF_8);
      String path = basePath + job.path();
      int need = 5 + path.length() + headers.length + 12 + 4 + body.length;
      if (out.capacity() < need) {
        out = ByteBuffer.allocate(Math.max(need, out.capacity() * 2));
      }
      out.clear();
      putAscii(out, "POST ");
      putAscii(out, path);
      out.put(headers);
      putAscii(out, Integer.toString(body.length));
      putAscii(out, "\r\n\r\n");
      out.put(body);
      out.flip();
    }

    void open() throws IOException {
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      connected = channel.connect(address);
      key = channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
      if (connected) {
        write();
      }
    }

    void write() throws IOException {
      channel.write(out);
      key.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    void read(long now) throws IOException {
      int n = channel.read(in);
      if (n < 0) {
        if (busy && untilClose && parse() && bodyStart >= 0) {
          bodyEnd = in.position();
          closeAfter = true;
          complete(this, status, now);
        } else if (busy) {
          fail(this, "io", now);
        } else {
          close();
        }
        return;
      }
      if (!busy) {
        // bytes nobody asked for: the server is confused about this connection
        close();
        return;
      }
      if (parse() && !untilClose) {
        complete(this, status, now);
        return;
      }
      if (!in.hasRemaining()) {
        if (in.capacity() >= MAX_RESPONSE_BYTES) {
          fail(this, "io", now);
          return;
        }
        ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
        in.flip();
        bigger.put(in);
        in = bigger;
      }
    }

    /** Whether the buffered bytes hold a whole answer (or its head, when the body runs to the close). */
    boolean parse() throws IOException {
      byte[] a = in.array();
      int n = in.position();
      while (true) {
        int headEnd = indexOfCrlfCrlf(a, 0, n);
        if (headEnd < 0) {
          return false;
        }
        if (n < 12 || a[0] != 'H' || a[1] != 'T' || a[2] != 'T' || a[3] != 'P' || a[8] != ' ') {
          throw new IOException("not an HTTP/1.1 answer");
        }
        status = (a[9] - '0') * 100 + (a[10] - '0') * 10 + (a[11] - '0');
        if (status >= 100 && status < 200) {
          // an interim answer: drop it and read on
          int rest = n - (headEnd + 4);
          System.arraycopy(a, headEnd + 4, a, 0, rest);
          in.position(rest);
          n = rest;
          continue;
        }
        long contentLength = -1;
        chunked = false;
        closeAfter = false;
        untilClose = false;
        int line = indexOfCrlf(a, 0, headEnd) + 2;
        while (line < headEnd) {
          int eol = indexOfCrlf(a, line, headEnd + 2);
          int colon = indexOf(a, line, eol, (byte) ':');
          if (colon > 0) {
            if (nameIs(a, line, colon, "content-length")) {
              contentLength = Long.parseLong(new String(a, colon + 1, eol - colon - 1, StandardCharsets.ISO_8859_1).trim());
            } else if (nameIs(a, line, colon, "transfer-encoding")) {
              chunked = new String(a, colon + 1, eol - colon - 1, StandardCharsets.ISO_8859_1).toLowerCase().contains("chunked");
            } else if (nameIs(a, line, colon, "connection")) {
              closeAfter = new String(a, colon + 1, eol - colon - 1, StandardCharsets.ISO_8859_1).toLowerCase().contains("close");
            }
          }
          line = eol + 2;
        }
        bodyStart = headEnd + 4;
        if (status == 204 || status == 304) {
          bodyEnd = bodyStart;
          return true;
        }
        if (chunked) {
          return chunkedEnd(a, n);
        }
        if (contentLength >= 0) {
          if (contentLength > MAX_RESPONSE_BYTES) {
            throw new IOException("answer too large");
          }
          bodyEnd = bodyStart + (int) contentLength;
          return n >= bodyEnd;
        }
        untilClose = true;
        return true;
      }
    }

    /** Finds the end of a chunked body; sets bodyEnd past the last chunk's trailer. */
    private boolean chunkedEnd(byte[] a, int n) throws IOException {
      int pos = bodyStart;
      while (true) {
        int eol = indexOfCrlf(a, pos, n);
        if (eol < 0) {
          return false;
        }
        int semi = indexOf(a, pos, eol, (byte) ';');
        int size = Integer.parseInt(new String(a, pos, (semi < 0 ? eol : semi) - pos, StandardCharsets.ISO_8859_1).trim(), 16);
        if (size == 0) {
          // the last chunk: an empty line, or trailers ending in one
          if (n >= eol + 4 && a[eol + 2] == '\r' && a[eol + 3] == '\n') {
            bodyEnd = eol + 4;
            return true;
          }
          int end = indexOfCrlfCrlf(a, eol, n);
          if (end < 0) {
            return false;
          }
          bodyEnd = end + 4;
          return true;
        }
        pos = eol + 2 + size + 2;
        if (pos > n) {
          return false;
        }
      }
    }

    /** The answer's body as text (chunked bodies unchunked). */
    String body() {
      byte[] a = in.array();
      if (chunked) {
        StringBuilder text = new StringBuilder();
        int pos = bodyStart;
        while (true) {
          int eol = indexOfCrlf(a, pos, bodyEnd);
          int semi = indexOf(a, pos, eol, (byte) ';');
          int size = Integer.parseInt(new String(a, pos, (semi < 0 ? eol : semi) - pos, StandardCharsets.ISO_8859_1).trim(), 16);
          if (size == 0) {
            return text.toString();
          }
          text.append(new String(a, eol + 2, size, StandardCharsets.UTF_8));
          pos = eol + 2 + size + 2;
        }
      }
      return new String(a, bodyStart, bodyEnd - bodyStart, StandardCharsets.UTF_8);
    }

    void close() {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // closing a socket we are done with: nothing to do about a failure
        }
      }
      channel = null;
      key = null;
      connected = false;
      in.clear();
      if (pooled) {
        idle.remove(this); // found closed while idle; a busy connection is in neither queue
        unopened.add(this);
      }
    }
  }

  private static void putAscii(ByteBuffer out, String text) {
    for (int i = 0; i < text.length(); i++) {
      out.put((byte) text.charAt(i));
    }
  }

  private static boolean nameIs(byte[] a, int from, int to, String lowerName) {
    if (to - from != lowerName.length()) {
      return false;
    }
    for (int i = 0; i < lowerName.length(); i++) {
      int c = a[from + i];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lowerName.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] a, int from, int to, byte b) {
    for (int i = from; i < to; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOfCrlf(byte[] a, int from, int to) {
    for (int i = from; i + 1 < to; i++) {
      if (a[i] == '\r' && a[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int indexOfCrlfCrlf(byte[] a, int from, int to) {
    for (int i = from; i + 3 < to; i++) {
      if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
