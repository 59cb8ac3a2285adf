package org.directmilter.milter.session;

import java.io.Closeable;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;

/** An empty replacement body that says when the session released it. */
final class ReleasedBody implements ByteSource, Closeable {

    final CountDownLatch released = new CountDownLatch(1);

    @Override
    public InputStream openStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public long size() {
        return 0;
    }

    @Override
    public void close() {
        released.countDown();
    }
}
