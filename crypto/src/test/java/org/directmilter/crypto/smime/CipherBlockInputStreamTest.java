package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * AES-CBC decrypted in the array it is read into ({@link CbcRecipient.CipherBlockInputStream}): the
 * ciphertext sits 64 bytes after the plaintext, which relies on how each provider's Cipher.update treats
 * overlapping arrays. So it is checked against the same provider's one-shot decryption, for sizes around
 * the block growth and reads of every size; the crypto module runs this with the JDK's providers and,
 * in its native-crypto execution, with the native one first.
 */
class CipherBlockInputStreamTest {

    private static final byte[] KEY = new byte[32];
    private static final byte[] IV = new byte[16];

    static {
        new Random(7).nextBytes(KEY);
        new Random(8).nextBytes(IV);
    }

    @Test
    void decryptsInPlaceAsTheProviderDoesInOneCallForEverySizeAndEveryWayOfReading() throws Exception {
        Random random = new Random(20261206);
        int[] sizes = {0, 1, 15, 16, 17, 63, 64, 65, 4095, 4096, 4097, 16383, 16384, 65535, 65536, 65537,
            200_000, 1 << 20};
        for (int size : sizes) {
            byte[] plain = new byte[size];
            random.nextBytes(plain);
            byte[] encrypted = cipher(Cipher.ENCRYPT_MODE).doFinal(plain);
            byte[] expected = cipher(Cipher.DECRYPT_MODE).doFinal(encrypted);
            for (int maxPiece : new int[] {1, 17, 4096, 100_000}) {
                for (long announced : new long[] {-1, encrypted.length}) {
                    InputStream source = new RandomPieces(encrypted, random, maxPiece);
                    try (InputStream in = new CbcRecipient.CipherBlockInputStream(source,
                            cipher(Cipher.DECRYPT_MODE), announced)) {
                        assertThat(in.readAllBytes())
                                .as("%d bytes read in pieces of up to %d, size announced %d", size, maxPiece, announced)
                                .isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void aCorruptFinalBlockIsAnIoExceptionThatSaysNoMore() throws Exception {
        byte[] encrypted = cipher(Cipher.ENCRYPT_MODE).doFinal(new byte[1000]);
        encrypted[encrypted.length - 1] ^= 0x55;
        InputStream in = new CbcRecipient.CipherBlockInputStream(new ByteArrayInputStream(encrypted),
                cipher(Cipher.DECRYPT_MODE), -1);

        assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessage("decryption failed");
    }

    private static Cipher cipher(int mode) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(mode, new SecretKeySpec(KEY, "AES"), new IvParameterSpec(IV));
        return cipher;
    }
}
