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
 * ratio. Run: mvn -q -pl crypto -am test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.directmilter.crypto.bench.SmimeBenchmark (or java -cp with the test classpath).
 */
public final class SmimeBenchmark {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    interface Work {
        void run() throws Exception;
    }

    record Figure(double perSecond, double allocatedPerMessage) {
    }

    public static void main(String[] args) throws Exception {
        TestPki pki = TestPki.create("bench CA");
        PrivateKeyEntry sender = pki.rsaEntity("alice@hisp.example", 2048);
        PrivateKeyEntry recipient = pki.rsaEntity("bob@partner.example", 2048);
        Protector protector = new Protector(ProtectOptions.DEFAULTS);
        Unprotector unprotector = new Unprotector(new UnprotectOptions(false, 1 << 20,
                Path.of(System.getProperty("java.io.tmpdir"))));
        System.out.printf("%-8s %-10s %12s %12s %7s %14s %10s%n", "size", "operation", "ours msg/s", "bare msg/s",
                "ratio", "ours alloc/msg", "x size");
        for (int size : new int[] {10 * 1024, 1024 * 1024, 10 * 1024 * 1024}) {
            byte[] message = message(size);
            ByteArrayOutputStream protectedOut = new ByteArrayOutputStream();
            protector.protectMessage(new ByteArrayInputStream(message), sender, List.of(recipient.certificate()),
                    protectedOut);
            byte[] outer = protectedOut.toByteArray();
            byte[] bareEnveloped = bareProtect(message, sender, recipient);
            int iterations = size <= 10 * 1024 ? 400 : size <= 1024 * 1024 ? 30 : 6;

            Figure ours = measure(iterations, () -> protector.protectMessage(new ByteArrayInputStream(message), sender,
                    List.of(recipient.certificate()), OutputStream.nullOutputStream()));
            Figure bare = measure(iterations, () -> bareProtect(message, sender, recipient));
            print(size, "protect", ours, bare);

            ours = measure(iterations, () -> {
                try (var r = (UnprotectResult.Verified) unprotector.unprotect(new ByteArrayInputStream(outer),
                        List.of(recipient))) {
                    r.message().size();
                }
            });
            bare = measure(iterations, () -> bareUnprotect(bareEnveloped, recipient));
            print(size, "unprotect", ours, bare);
        }
    }

    private static void print(int size, String op, Figure ours, Figure bare) {
        System.out.printf("%-8s %-10s %12.1f %12.1f %7.2f %14.0f %10.2f%n", size / 1024 + "K", op, ours.perSecond(),
                bare.perSecond(), ours.perSecond() / bare.perSecond(), ours.allocatedPerMessage(),
                ours.allocatedPerMessage() / size);
    }

    private static Figure measure(int iterations, Work work) throws Exception {
        for (int i = 0; i < Math.max(3, iterations / 4); i++) {
            work.run(); // warm-up
        }
        long thread = Thread.currentThread().getId();
        long allocated = THREADS.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            work.run();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double perMessage = (THREADS.getThreadAllocatedBytes(thread) - allocated) / (double) iterations;
        return new Figure(iterations / seconds, perMessage);
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
