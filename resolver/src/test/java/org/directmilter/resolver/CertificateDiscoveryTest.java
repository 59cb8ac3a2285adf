package org.directmilter.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The discovery rules against an in-memory CertLookup. */
class CertificateDiscoveryTest {

    private final Map<String, OwnerLookup> zone = new HashMap<>();
    private final List<String> asked = new ArrayList<>();
    private final CertLookup fake = owner -> {
        asked.add(owner);
        return zone.getOrDefault(owner, new OwnerLookup.NonePublished(owner, "NXDOMAIN", 300, List.of()));
    };

    private void publish(String owner, X509Certificate... certs) {
        List<FoundCertificate> found = new ArrayList<>();
        for (X509Certificate c : certs) {
            found.add(new FoundCertificate(c, FoundCertificate.PKIX, Optional.empty()));
        }
        zone.put(owner, new OwnerLookup.Published(owner, found, List.of(), 300, List.of()));
    }

    private DiscoveryResult discover(String address, OwnerNameMode mode) {
        return new CertificateDiscovery(fake, mode).discover(address, TestCertificates::currentlyValid);
    }

    @Test
    void aHeardLookupPassesItsSourceAnswerAndTimeToTheListener() {
        List<String> heard = new ArrayList<>();
        DiscoveryListener listener = new DiscoveryListener() {
            @Override
            public void lookedUp(Source source, OwnerLookup answer, Duration took) {
                heard.add(source + " " + answer.getClass().getSimpleName() + " " + answer.owner()
                        + (took.isNegative() ? " negative" : ""));
            }
        };
        publish("bob.example.org.", TestCertificates.valid("bob@example.org"));

        OwnerLookup answer = CertificateDiscovery.heard(fake, DiscoveryListener.Source.LDAP, listener)
                .lookup("bob.example.org.");

        assertThat(answer).isSameAs(zone.get("bob.example.org."));
        assertThat(heard).containsExactly("LDAP Published bob.example.org.");
    }

    @Test
    void addressBoundWinsOverDomainBound() {
        X509Certificate bob = TestCertificates.valid("bob@example.org");
        publish("bob.example.org.", bob);
        publish("example.org.", TestCertificates.valid("example.org"));

        DiscoveryResult result = discover("bob@example.org", OwnerNameMode.BOTH);

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.Found.class, found -> {
            assertThat(found.binding()).isEqualTo(Binding.ADDRESS);
            assertThat(found.usable()).extracting(DiscoveredCertificate::certificate).containsExactly(bob);
        });
        assertThat(asked).containsExactly("bob.example.org.");
    }

    @Test
    void domainBoundWhenTheAddressPublishesNothing() {
        X509Certificate org = TestCertificates.valid("example.org");
        publish("example.org.", org);

        DiscoveryResult result = discover("alice@example.org", OwnerNameMode.BOTH);

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.Found.class, found -> {
            assertThat(found.binding()).isEqualTo(Binding.DOMAIN);
            assertThat(found.usable()).extracting(DiscoveredCertificate::owner).containsExactly("example.org.");
        });
        assertThat(asked).containsExactly("alice.example.org.", "example.org.");
    }

    @Test
    void everyUsableCertificateOfTheStepIsReturnedAndTheUnusableAreKeptApart() {
        X509Certificate one = TestCertificates.valid("bob@example.org");
        X509Certificate two = TestCertificates.valid("bob@example.org");
        X509Certificate old = TestCertificates.expired("bob@example.org");
        publish("bob.example.org.", one, old, two);

        DiscoveryResult result = discover("bob@example.org", OwnerNameMode.BOTH);

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.Found.class, found -> {
            assertThat(found.usable()).extracting(DiscoveredCertificate::certificate).containsExactly(one, two);
            assertThat(found.unusable()).extracting(DiscoveredCertificate::certificate).containsExactly(old);
        });
    }

    @Test
    void noFallbackToTheDomainWhenTheAddressCertificatesAreAllUnusable() {
        publish("bob.example.org.", TestCertificates.expired("bob@example.org"));
        publish("example.org.", TestCertificates.valid("example.org"));

        DiscoveryResult result = discover("bob@example.org", OwnerNameMode.BOTH);

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.FoundNoneUsable.class, none -> {
            assertThat(none.binding()).isEqualTo(Binding.ADDRESS);
            assertThat(none.unusable()).hasSize(1);
        });
        assertThat(asked).doesNotContain("example.org.");
    }

    @Test
    void recordsWithoutAReadableCertificateStillStopDiscovery() {
        zone.put("bob.example.org.", new OwnerLookup.Published("bob.example.org.", List.of(),
                List.of("PKIX record of 3 bytes is not a certificate"), 300, List.of()));
        publish("example.org.", TestCertificates.valid("example.org"));

        assertThat(discover("bob@example.org", OwnerNameMode.BOTH))
                .isInstanceOfSatisfying(DiscoveryResult.FoundNoneUsable.class,
                        none -> assertThat(none.unusable()).isEmpty());
    }

    @Test
    void nothingPublishedIsNotFoundAfterBothSteps() {
        DiscoveryResult result = discover("nobody@example.org", OwnerNameMode.BOTH);

        assertThat(result).isInstanceOf(DiscoveryResult.NotFound.class);
        assertThat(result.steps()).extracting(OwnerLookup::owner)
                .containsExactly("nobody.example.org.", "example.org.");
    }

    @Test
    void dottedLocalPartTriesNaiveThenEscapedBeforeTheDomain() {
        X509Certificate john = TestCertificates.valid("john.smith@example.org");
        publish("john\\.smith.example.org.", john);

        DiscoveryResult result = discover("John.Smith@example.org", OwnerNameMode.BOTH);

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.Found.class,
                found -> assertThat(found.usable()).extracting(DiscoveredCertificate::owner)
                        .containsExactly("john\\.smith.example.org."));
        assertThat(asked).containsExactly("john.smith.example.org.", "john\\.smith.example.org.");
        assertThat(discover("john.smith@example.org", OwnerNameMode.NAIVE)).isInstanceOf(DiscoveryResult.NotFound.class);
    }

    @Test
    void temporaryFailureAtTheAddressDoesNotFallBack() {
        zone.put("bob.example.org.", new OwnerLookup.Unavailable("bob.example.org.", "127.0.0.1:53 UDP TIMEOUT",
                List.of()));
        publish("example.org.", TestCertificates.valid("example.org"));

        assertThat(discover("bob@example.org", OwnerNameMode.BOTH))
                .isInstanceOfSatisfying(DiscoveryResult.TemporaryFailure.class,
                        failure -> assertThat(failure.reason()).contains("TIMEOUT"));
        assertThat(asked).doesNotContain("example.org.");
    }

    @Test
    void temporaryFailureAtTheDomainIsATemporaryFailure() {
        zone.put("example.org.", new OwnerLookup.Unavailable("example.org.", "SERVFAIL", List.of()));

        assertThat(discover("bob@example.org", OwnerNameMode.BOTH)).isInstanceOf(DiscoveryResult.TemporaryFailure.class);
    }

    @Test
    void localPartTooLongForALabelGoesStraightToTheDomain() {
        publish("example.org.", TestCertificates.valid("example.org"));

        assertThat(discover("x".repeat(64) + "@example.org", OwnerNameMode.BOTH))
                .isInstanceOf(DiscoveryResult.Found.class);
        assertThat(asked).containsExactly("example.org.");
    }

    private DiscoveryResult discoverWithLdap(String address) {
        return new CertificateDiscovery(fake, OwnerNameMode.NAIVE, Optional.empty(), true)
                .discover(address, TestCertificates::currentlyValid);
    }

    @Test
    void ldapIsAskedOnlyAfterDnsPublishedNothingAddressThenDomain() {
        X509Certificate org = TestCertificates.valid("example.org");
        publish("ldap:(mail=example.org)", org);

        DiscoveryResult result = discoverWithLdap("bob@example.org");

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.Found.class,
                found -> assertThat(found.binding()).isEqualTo(Binding.DOMAIN));
        assertThat(asked).containsExactly("bob.example.org.", "example.org.", "ldap:(mail=bob@example.org)",
                "ldap:(mail=example.org)");
    }

    @Test
    void dnsDomainBoundCertificateMeansLdapIsNotAsked() {
        publish("example.org.", TestCertificates.expired("example.org"));
        publish("ldap:(mail=bob@example.org)", TestCertificates.valid("bob@example.org"));

        DiscoveryResult result = discoverWithLdap("bob@example.org");

        assertThat(result).isInstanceOf(DiscoveryResult.FoundNoneUsable.class);
        assertThat(asked).containsExactly("bob.example.org.", "example.org.");
    }

    @Test
    void ldapUnavailableIsATemporaryFailure() {
        zone.put("ldap:(mail=bob@example.org)", new OwnerLookup.Unavailable("ldap:(mail=bob@example.org)",
                "no LDAP server answered", List.of()));

        assertThat(discoverWithLdap("bob@example.org")).isInstanceOf(DiscoveryResult.TemporaryFailure.class);
        assertThat(asked).doesNotContain("ldap:(mail=example.org)");
    }
}
