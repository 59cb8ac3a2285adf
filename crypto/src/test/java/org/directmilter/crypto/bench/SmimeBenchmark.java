package org.directmilter.crypto.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.crypto.smime.UnprotectOptions;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.smime.Unprotector;
import org.directmilter.crypto.testpki.TestPki;

/**
 * Plain harness: protect and unprotect throughput and bytes allocated per message, beside the same
 * sign+encrypt and decrypt+verify written as bare Bouncy Castle CMS calls (same JDK providers), as a
 * ratio, and the bytes each allocates per message. Run: mvn -q -o -pl crypto test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=org.directmilter.crypto.bench.SmimeBenchmark (or java -cp
 * with the test classpath); -Dbench.seconds=S and -Dbench.rounds=N set how long it measures.
 */
public final class SmimeBenchmark {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    interface Work {
        void run() throws Exception;
    }

    /**
     * Messages per second of elapsed time and of this thread's CPU time, and bytes allocated per message.
     * CPU time is what another process on a shared machine disturbs least.
     */
    record Figure(double perSecond, double perCpuSecond, double allocatedPerMessage) {
        /** The better of two measurements: the faster run, the smaller allocation (both are noise-free floors). */
        Figure best(Figure other) {
            return other == null ? this : new Figure(Math.max(perSecond, other.perSecond),
                    Math.max(perCpuSecond, other.perCpuSecond),
                    Math.min(allocatedPerMessage, other.allocatedPerMessage));
        }
    }

    /** How long one measurement runs, and how many rounds alternate ours and bare. */
    private static final double SECONDS = Double.parseDouble(System.getProperty("bench.seconds", "1.5"));
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    public static void main(String[] args) throws Exception {
        TestPki pki = TestPki.create("bench CA");
        PrivateKeyEntry sender = pki.rsaEntity("alice@hisp.example", 2048);
        PrivateKeyEntry recipient = pki.rsaEntity("bob@partner.example", 2048);
        Protector protector = new Protector(ProtectOptions.DEFAULTS);
        Unprotector unprotector = new Unprotector(new UnprotectOptions(false, 1 << 20,
                Path.of(System.getProperty("java.io.tmpdir"))));
        System.out.printf("%d CPUs, Java %s; best of %d rounds of %.1f s, ours and bare alternating%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), ROUNDS, SECONDS);
        System.out.printf("%-8s %-10s %11s %11s %6s %9s %12s %7s %12s %7s%n", "size", "operation", "ours msg/s",
                "bare msg/s", "ratio", "cpu ratio", "ours B/msg", "x size", "bare B/msg", "x size");
        for (int size : new int[] {10 * 1024, 1024 * 1024, 10 * 1024 * 1024}) {
            byte[] message = message(size);
            ByteArrayOutputStream protectedOut = new ByteArrayOutputStream();
            protector.protectMessage(new ByteArrayInputStream(message), sender, List.of(recipient.certificate()),
                    protectedOut);
            byte[] outer = protectedOut.toByteArray();
            byte[] bareEnveloped = bareProtect(message, sender, recipient);

            compare(size, "protect", () -> protector.protectMessage(new ByteArrayInputStream(message), sender,
                    List.of(recipient.certificate()), OutputStream.nullOutputStream()),
                    () -> bareProtect(message, sender, recipient));
            compare(size, "unprotect", () -> {
                try (var r = (UnprotectResult.Verified) unprotector.unprotect(new ByteArrayInputStream(outer),
                        outer.length, List.of(recipient))) {
                    r.message().size();
                }
            }, () -> bareUnprotect(bareEnveloped, recipient));
        }
    }

    /**
     * Alternates ours and bare for a few rounds and keeps the best of each: on a shared machine a
     * single run of either can land on a busy moment, which says nothing about the code.
     */
    private static void compare(int size, String op, Work ours, Work bare) throws Exception {
        Figure bestOurs = null;
        Figure bestBare = null;
        for (int round = 0; round < ROUNDS; round++) {
            bestOurs = measure(ours).best(bestOurs);
            bestBare = measure(bare).best(bestBare);
        }
        System.out.printf("%-8s %-10s %11.1f %11.1f %6.2f %9.2f %12.0f %7.2f %12.0f %7.2f%n", size / 1024 + "K", op,
                bestOurs.perSecond(), bestBare.perSecond(), bestOurs.perSecond() / bestBare.perSecond(),
                bestOurs.perCpuSecond() / bestBare.perCpuSecond(),
                bestOurs.allocatedPerMessage(), bestOurs.allocatedPerMessage() / size,
                bestBare.allocatedPerMessage(), bestBare.allocatedPerMessage() / size);
    }

    /** Warms up for a fifth of the time, then runs for {@link #SECONDS} (at least three messages). */
    private static Figure measure(Work work) throws Exception {
        long warmUpEnd = System.nanoTime() + (long) (SECONDS * 2e8);
        for (int i = 0; i < 3 || System.nanoTime() < warmUpEnd; i++) {
            work.run();
        }
        long thread = Thread.currentThread().getId();
        long allocated = THREADS.getThreadAllocatedBytes(thread);
        long cpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + (long) (SECONDS * 1e9);
        int iterations = 0;
        do {
            work.run();
            iterations++;
        } while (iterations < 3 || System.nanoTime() < end);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e9;
        double perMessage = (THREADS.getThreadAllocatedBytes(thread) - allocated) / (double) iterations;
        return new Figure(iterations / seconds, iterations / cpuSeconds, perMessage);
    }

    private static byte[] message(int size) {
        StringBuilder b = new StringBuilder("From: alice@hisp.example\r\nTo: bob@partner.example\r\n"
                + "Subject: bench\r\nMessage-ID: <b@hisp.example>\r\n\r\n");
        while (b.length() < size) {
            b.append("Lorem ipsum dolor sit amet, consectetur adipiscing elit, numbered ").append(b.length()).append("\r\n");
        }
        return b.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Sign (detached, SHA-256, chain) then envelope (AES-256-CBC), bare BC with the JDK providers. */
    public static byte[] bareProtect(byte[] content, PrivateKeyEntry sender, PrivateKeyEntry recipient) throws Exception {
        CMSSignedDataGenerator signer = new CMSSignedDataGenerator();
        signer.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(sender.key()), sender.certificate()));
        signer.addCertificates(new JcaCertStore(sender.chain()));
        byte[] signature = signer.generate(new CMSProcessableByteArray(content), false).getEncoded();
        ByteArrayOutputStream entity = new ByteArrayOutputStream(content.length + signature.length + 1024);
        entity.write(java.nio.ByteBuffer.allocate(4).putInt(content.length).array());
        entity.write(content);
        entity.write(signature);
        CMSEnvelopedDataGenerator envelope = new CMSEnvelopedDataGenerator();
        envelope.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(recipient.certificate()));
        return envelope.generate(new CMSProcessableByteArray(entity.toByteArray()),
                new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_CBC).build()).getEncoded();
    }

    public static void bareUnprotect(byte[] enveloped, PrivateKeyEntry recipient) throws Exception {
        CMSEnvelopedData data = new CMSEnvelopedData(enveloped);
        RecipientInformation info = data.getRecipientInfos().getRecipients().iterator().next();
        byte[] entity = info.getContent(new JceKeyTransEnvelopedRecipient(recipient.key()));
        // the bare version needs no MIME: a length prefix says where the content ends and the signature starts
        int contentLength = java.nio.ByteBuffer.wrap(entity, 0, 4).getInt();
        byte[] content = java.util.Arrays.copyOfRange(entity, 4, 4 + contentLength);
        byte[] signature = java.util.Arrays.copyOfRange(entity, 4 + contentLength, entity.length);
        CMSSignedData signed = new CMSSignedData(new CMSProcessableByteArray(content), signature);
        for (SignerInformation s : signed.getSignerInfos()) {
            var cert = (org.bouncycastle.cert.X509CertificateHolder) signed.getCertificates().getMatches(s.getSID())
                    .iterator().next();
            if (!s.verify(new JcaSimpleSignerInfoVerifierBuilder().build(cert))) {
                throw new IllegalStateException("bare verify failed");
            }
        }
    }

}
