package org.directmilter.milter.testkit;

/** Closing the fixtures a test class started, in order, whatever failed to start or to stop. */
public final class Resources {

    private Resources() {
    }

    /**
     * Closes every resource that is not null (one that never started is), in the order given, each
     * even when an earlier one failed; the first failure is thrown with the later ones suppressed.
     */
    public static void closeAll(AutoCloseable... resources) {
        RuntimeException failure = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                RuntimeException wrapped = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                if (failure == null) {
                    failure = wrapped;
                } else {
                    failure.addSuppressed(wrapped);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
