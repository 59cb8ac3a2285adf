package org.directmilter.milter.tracking;

import java.time.Instant;
import java.util.Optional;

/** One recipient's record, for the operator ({@code direct-milter track}). */
public record RecipientTrack(String recipient, RecipientState state, Optional<Instant> processedAt,
                             Optional<Instant> dispatchedAt, Optional<Instant> finalAt, String detail) {}
