package org.directmilter.milter.policy;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.directmilter.milter.config.Cidr;
import org.directmilter.milter.config.FailureAction;
import org.directmilter.milter.session.Client;
import org.directmilter.milter.session.Transaction;

/** The policy's decisions as the configuration sets them: local domains, who may send, failure actions. */
public record PolicySettings(Set<String> domains, List<Cidr> internalHosts, Set<String> submissionDaemons,
                      boolean protectLocal, boolean routingChecks, FailureActions actions,
                      String incomingEnvelopeSender) {

    public PolicySettings {
        domains = Set.copyOf(domains);
        internalHosts = List.copyOf(internalHosts);
        submissionDaemons = Set.copyOf(submissionDaemons);
    }

    /** What each named condition does; validated by the configuration parser (no accept where it cannot be). */
    public record FailureActions(FailureAction dnsError, FailureAction noCertificate, FailureAction untrusted,
                          FailureAction unprotected, FailureAction noSenderKey, FailureAction internalError,
                          FailureAction nonDirect) {
    }

    /**
     * The From and Sender addresses of a header block that belong to a local Direct domain: a message
     * with one is outgoing Direct mail whatever its envelope says.
     */
    List<String> localAuthors(List<org.directmilter.milter.session.HeaderField> headers) {
        List<String> out = new java.util.ArrayList<>();
        for (org.directmilter.milter.session.HeaderField header : headers) {
            if (header.named("From") || header.named("Sender")) {
                Mailboxes.parse(header.text()).stream()
                        .filter(a -> isLocal(a.substring(a.lastIndexOf('@') + 1)) && !out.contains(a))
                        .forEach(out::add);
            }
        }
        return out;
    }

    boolean isLocal(String domain) {
        return domains.contains(domain.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether the client may send for a local domain: it authenticated, came through a submission
     * service, or connects from an internal network (a Unix-socket client is a local process).
     */
    boolean trustedClient(Transaction transaction) {
        if (transaction.macros().get("{auth_authen}").filter(s -> !s.isBlank()).isPresent()) {
            return true;
        }
        if (transaction.macros().get("{daemon_name}").filter(submissionDaemons::contains).isPresent()) {
            return true;
        }
        Client client = transaction.client();
        if (client.family() == Client.Family.UNIX) {
            return true;
        }
        return internalHosts.stream().anyMatch(network -> network.contains(client.address()));
    }
}
