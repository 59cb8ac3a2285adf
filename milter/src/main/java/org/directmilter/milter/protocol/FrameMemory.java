package org.directmilter.milter.protocol;

/**
 * Heap that frames being read may take, shared by every connection. A reservation that does not fit is
 * refused, so what peers announce never decides how much memory is allocated.
 */
public interface FrameMemory {

    /** Never refuses: for clients and tests. */
    FrameMemory UNLIMITED = new FrameMemory() {
        @Override
        public boolean tryReserve(long bytes) {
            return true;
        }

        @Override
        public void release(long bytes) {
        }
    };

    boolean tryReserve(long bytes);

    void release(long bytes);
}
