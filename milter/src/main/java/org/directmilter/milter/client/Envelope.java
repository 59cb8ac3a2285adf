package org.directmilter.milter.client;

import java.util.List;
import java.util.Map;

/**
 * The SMTP side of one message as an MTA would describe it to a milter.
 *
 * @param macros per command code ('C', 'M', 'R', 'E', ...), sent before that command
 */
public record Envelope(String clientHost, String clientAddress, String helo, String sender, List<String> recipients,
                       Map<Character, Map<String, String>> macros) {

    public Envelope {
        recipients = List.copyOf(recipients);
        macros = Map.copyOf(macros);
    }

    public static Envelope of(String sender, List<String> recipients) {
        return new Envelope("localhost", "127.0.0.1", "localhost", sender, recipients, Map.of());
    }

    public Envelope withMacros(Map<Character, Map<String, String>> values) {
        return new Envelope(clientHost, clientAddress, helo, sender, recipients, values);
    }
}
