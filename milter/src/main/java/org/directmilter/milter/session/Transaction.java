package org.directmilter.milter.session;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What is known of the current SMTP session and message when a handler is asked: the client,
 * HELO, macros, the sender and the recipients accepted so far. A handler may also keep its own
 * per-message state here (typed by {@link Key}); it is gone with the message.
 */
public final class Transaction {
    private final Client client;
    private final String helo;
    private final Macros macros;
    private final EnvelopeAddress sender;
    private final List<EnvelopeAddress> recipients = new ArrayList<>();
    private final Map<Key<?>, Object> notes = new HashMap<>();

    Transaction(Client client, String helo, Macros macros, EnvelopeAddress sender) {
        this.client = client;
        this.helo = helo;
        this.macros = macros;
        this.sender = sender;
    }

    public Client client() {
        return client;
    }

    public String helo() {
        return helo;
    }

    /** Live view of the macros; message-stage values belong to this message only. */
    public Macros macros() {
        return macros;
    }

    public EnvelopeAddress sender() {
        return sender;
    }

    /** Recipients accepted so far (a recipient the handler refused is not here). */
    public List<EnvelopeAddress> recipients() {
        return Collections.unmodifiableList(recipients);
    }

    void addRecipient(EnvelopeAddress recipient) {
        recipients.add(recipient);
    }

    /** The MTA's queue id ("i" macro) once it exists (after the first accepted recipient). */
    public Optional<String> queueId() {
        return macros.get("i");
    }

    public <T> void put(Key<T> key, T value) {
        notes.put(key, value);
    }

    public <T> Optional<T> get(Key<T> key) {
        return Optional.ofNullable(key.type().cast(notes.get(key)));
    }

    /** A typed slot for handler state; compare by identity, so keep keys in constants. */
    public static final class Key<T> {
        private final String name;
        private final Class<T> type;

        public Key(String name, Class<T> type) {
            this.name = name;
            this.type = type;
        }

        Class<T> type() {
            return type;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
