package org.directmilter.milter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.directmilter.milter.tracking.Report;
import org.junit.jupiter.api.Test;

/** Reading what comes back: the MDN's fields, the dispositions that count, a DSN's failed recipients. */
class ReturnedReportsTest {

    private static final Instant AT = Instant.parse("2026-12-06T10:00:00Z");

    private static String mdn(String fields) {
        return "From: bob@partner.example\r\nContent-Type: multipart/report;\r\n report-type=disposition-notification;"
                + " boundary=\"x y\"\r\n\r\n--x y\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x y\r\n"
                + "Content-Type: message/disposition-notification\r\n\r\n" + fields + "\r\n--x y--\r\n";
    }

    @Test
    void anMdnGivesOneReportWithTheRecipientLowerCased() {
        assertThat(ReturnedReports.mdn(mdn("Reporting-UA: x\r\nFinal-Recipient: rfc822; <Bob@Partner.example>\r\n"
                + "Original-Message-ID: <m1@hisp-a.example>\r\nDisposition: automatic-action/MDN-sent-automatically;\r\n"
                + "  processed\r\n"), AT))
                .contains(new Report("<m1@hisp-a.example>", "bob@partner.example", Report.Kind.PROCESSED, AT,
                        "mdn automatic-action/MDN-sent-automatically; processed"));
    }

    @Test
    void dispositionsMapToKindsAndAReadReceiptCountsForNothing() {
        assertThat(ReturnedReports.kind("automatic-action/MDN-sent-automatically; dispatched"))
                .contains(Report.Kind.DISPATCHED);
        assertThat(ReturnedReports.kind("automatic-action/MDN-sent-automatically; failed")).contains(Report.Kind.FAILED);
        assertThat(ReturnedReports.kind("automatic-action/MDN-sent-automatically; deleted")).contains(Report.Kind.FAILED);
        assertThat(ReturnedReports.kind("automatic-action/MDN-sent-automatically; processed/error")).contains(Report.Kind.FAILED);
        assertThat(ReturnedReports.kind("manual-action/MDN-sent-manually; displayed")).isEmpty();
        assertThat(ReturnedReports.kind("processed")).isEmpty();
    }

    @Test
    void anMdnWithoutOriginalMessageIdOrRfc822RecipientGivesNone() {
        assertThat(ReturnedReports.mdn(mdn("Final-Recipient: rfc822;bob@partner.example\r\n"
                + "Disposition: automatic-action/MDN-sent-automatically; processed\r\n"), AT)).isEmpty();
        assertThat(ReturnedReports.mdn(mdn("Final-Recipient: x400;bob\r\nOriginal-Message-ID: <m1@a>\r\n"
                + "Disposition: automatic-action/MDN-sent-automatically; processed\r\n"), AT)).isEmpty();
        assertThat(ReturnedReports.mdn("From: x\r\nContent-Type: text/plain\r\n\r\nno report\r\n", AT)).isEmpty();
    }

    @Test
    void aDsnGivesAFailureForEachFailedRecipientOnly() {
        String dsn = "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
                + "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
                + "Final-Recipient: rfc822; Fran@partner.example\nAction: failed\nStatus: 5.1.1\n\n"
                + "Final-Recipient: rfc822; bob@partner.example\nAction: delayed\nStatus: 4.4.1\n\n"
                + "--b\nContent-Type: text/rfc822-headers\n\nMessage-ID:  <m1@hisp-a.example>\n\n--b--\n";
        assertThat(ReturnedReports.dsn(dsn, AT)).containsExactly(new Report("<m1@hisp-a.example>",
                "fran@partner.example", Report.Kind.FAILED, AT, "dsn 5.1.1"));
        assertThat(ReturnedReports.dsn(dsn.replace("Message-ID:  <m1@hisp-a.example>", "From: a@b"), AT)).isEmpty();
    }
}
