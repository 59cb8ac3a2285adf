package org.directmilter.milter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The length field is a claim: memory follows the bytes that arrive, within a shared budget. */
class FrameReaderTest {

    /** A budget that records the most it ever lent. */
    static final class Budget implements FrameMemory {
        final long limit;
        long used;
        long peak;

        Budget(long limit) {
            this.limit = limit;
        }

        @Override
        public boolean tryReserve(long bytes) {
            if (used + bytes > limit) {
                return false;
            }
            used += bytes;
            peak = Math.max(peak, used);
            return true;
        }

        @Override
        public void release(long bytes) {
            used -= bytes;
        }
    }

    private static byte[] frame(int announced, char code, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(announced >>> 24);
        out.write(announced >>> 16);
        out.write(announced >>> 8);
        out.write(announced);
        out.write(code);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    @Test
    void aLargeAnnouncedFrameThatNeverArrivesCostsOneStepOfItsOwn() {
        Budget budget = new Budget(Long.MAX_VALUE);
        FrameReader reader = new FrameReader(new ByteArrayInputStream(frame(1 << 20, 'B', new byte[10])), 1 << 20, budget);
        assertThatThrownBy(reader::read).isInstanceOf(MilterProtocolException.class).hasMessageContaining("truncated");
        assertThat(budget.peak).as("the first 64 KiB are the connection's own").isZero();
        reader.close();
        assertThat(budget.used).isZero();
    }

    @Test
    void aLargeFrameGrowsAsItArrivesAndIsGivenBackAtTheNextRead() throws IOException {
        byte[] payload = new byte[(1 << 20) - 1];
        Arrays.fill(payload, (byte) 'x');
        byte[] wire = frame(1 << 20, 'B', payload);
        Budget budget = new Budget(Long.MAX_VALUE);
        FrameReader reader = new FrameReader(new ByteArrayInputStream(wire), 1 << 20, budget);
        Frame read = reader.read();
        assertThat(read.payload()).isEqualTo(payload);
        assertThat(budget.used).isEqualTo(payload.length);
        assertThat(budget.peak).as("old and new buffer while growing, never more").isLessThanOrEqualTo(3L * payload.length / 2 + 1);
        reader.releaseFrame();
        assertThat(budget.used).isZero();
        assertThat(reader.read()).isNull();
        assertThat(budget.used).isZero();
    }

    @Test
    void aFrameTheSharedBudgetCannotHoldIsAProtocolError() {
        Budget budget = new Budget(100_000);
        FrameReader reader = new FrameReader(new ByteArrayInputStream(frame(200_001, 'B', new byte[200_000])), 1 << 20,
                budget);
        assertThatThrownBy(reader::read).isInstanceOf(MilterProtocolException.class).hasMessageContaining("MessageMemory");
        reader.close();
        assertThat(budget.used).isZero();
    }

    @Test
    void aFrameOverTheCapIsRefusedBeforeAnythingIsAllocated() {
        Budget budget = new Budget(Long.MAX_VALUE);
        FrameReader reader = new FrameReader(new ByteArrayInputStream(frame(-1, 'B', new byte[0])), 1 << 20, budget);
        assertThatThrownBy(reader::read).hasMessageContaining("MaxFrameSize");
        assertThat(budget.peak).isZero();
    }

    @Test
    void aRecycledPayloadArrayTakesTheNextFrameOfItsLengthAndNoOther() throws IOException {
        byte[] first = new byte[300];
        byte[] second = new byte[300];
        byte[] third = new byte[200];
        Arrays.fill(first, (byte) 1);
        Arrays.fill(second, (byte) 2);
        Arrays.fill(third, (byte) 3);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(frame(301, 'B', first));
        wire.writeBytes(frame(6, 'D', new byte[] {'E', 'i', 0, 'Q', 0}));
        wire.writeBytes(frame(301, 'B', second));
        wire.writeBytes(frame(201, 'B', third));
        wire.writeBytes(frame(201, 'B', third));
        FrameReader reader = new FrameReader(new ByteArrayInputStream(wire.toByteArray()), 1 << 20);
        Frame one = reader.read();
        byte[] array = one.payload();
        reader.recycle(one);
        assertThat(reader.read().codeChar()).as("macros in between").isEqualTo('D');
        Frame two = reader.read();
        assertThat(two.payload()).as("same length: the same array, every byte overwritten").isSameAs(array)
                .isEqualTo(second);
        reader.recycle(two);
        Frame three = reader.read();
        assertThat(three.payload()).as("another length: a new array").isNotSameAs(array).isEqualTo(third);
        reader.recycle(three);
        reader.recycle(null);
        Frame four = reader.read();
        assertThat(four.payload()).as("let go: never reused").isNotSameAs(three.payload()).isEqualTo(third);
    }
}
