package io.spillway.cli.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * A loopback HTTP/1.1 server that answers every request with a canned 202, on a thread of its own.
 * The load generator runs its real code against it before a test (see {@link HttpLoadClient#warmUp})
 * so that the JIT has compiled it by the time the clock starts — without sending the API a single
 * request that is not measured.
 */
final class WarmUpServer implements AutoCloseable {

  private static final String BODY = "{\"jobId\":\"warm-up\",\"type\":\"payment\",\"status\":\"QUEUED\",\"statusUrl\":\"/v1/jobs/warm-up\"}";
  private static final byte[] ANSWER =
      ("HTTP/1.1 202 Accepted\r\nLocation: /v1/jobs/warm-up\r\ncontent-type: application/json\r\ncontent-length: " + BODY.length() + "\r\n\r\n" + BODY)
          .getBytes(StandardCharsets.ISO_8859_1);

  private final ServerSocketChannel server;
  private final Selector selector;
  private final Thread thread;
  private volatile boolean running = true;

  WarmUpServer() throws IOException {
    server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
    server.configureBlocking(false);
    selector = Selector.open();
    server.register(selector, SelectionKey.OP_ACCEPT);
    thread = Thread.ofPlatform().daemon().name("load-warm-up-server").start(this::serve);
  }

  String url() throws IOException {
    return "http://127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  private void serve() {
    try {
      while (running) {
        selector.select(50);
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          try {
            if (key.isAcceptable()) {
              SocketChannel channel = server.accept();
              if (channel != null) {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(16 * 1024));
              }
            } else if (key.isReadable()) {
              answer((SocketChannel) key.channel(), (ByteBuffer) key.attachment());
            }
          } catch (IOException e) {
            key.cancel();
            key.channel().close();
          }
        }
      }
    } catch (IOException e) {
      // the warm-up is best effort: a failure only means a colder start
    }
  }

  /** Reads what came and answers each whole request in it (head plus Content-Length bytes). */
  private static void answer(SocketChannel channel, ByteBuffer in) throws IOException {
    if (channel.read(in) < 0 || !in.hasRemaining()) {
      throw new IOException("closed or oversized");
    }
    byte[] a = in.array();
    int start = 0;
    while (true) {
      int head = -1;
      for (int i = start; i + 3 < in.position(); i++) {
        if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
          head = i;
          break;
        }
      }
      if (head < 0) {
        break;
      }
      String text = new String(a, start, head - start, StandardCharsets.ISO_8859_1).toLowerCase();
      int at = text.indexOf("content-length:");
      int length = at < 0 ? 0 : Integer.parseInt(text.substring(at + 15, text.indexOf('\r', at) < 0 ? text.length() : text.indexOf('\r', at)).trim());
      int end = head + 4 + length;
      if (end > in.position()) {
        break;
      }
      ByteBuffer out = ByteBuffer.wrap(ANSWER);
      while (out.hasRemaining()) {
        channel.write(out);
      }
      start = end;
    }
    in.limit(in.position()).position(start);
    in.compact();
  }

  @Override
  public void close() throws IOException {
    running = false;
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SelectionKey key : selector.keys()) {
      key.channel().close();
    }
    selector.close();
  }
}
