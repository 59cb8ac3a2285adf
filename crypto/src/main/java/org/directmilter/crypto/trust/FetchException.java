package org.directmilter.crypto.trust;

import java.io.IOException;

/**
 * A CRL or issuer certificate that could not be had. The {@link Category} is all a sender may learn
 * (it goes into problem texts and so into SMTP replies); the message names the URL and what the server
 * did, for the operator's log only.
 */
final class FetchException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why, in words fit for a reply: nothing in them comes from the URL or from what a server sent. */
    enum Category {
        NOT_ALLOWED("fetching from that URL is not allowed"),
        UNREACHABLE("server unreachable"),
        TIMEOUT("no answer in time"),
        HTTP_ERROR("server answered with an error"),
        TOO_LARGE("answer too large"),
        UNREADABLE("answer unreadable"),
        BUDGET_SPENT("this message's fetch budget is spent"),
        BUSY("too many fetches in progress");

        private final String words;

        Category(String words) {
            this.words = words;
        }

        String words() {
            return words;
        }
    }

    private final Category category;

    FetchException(Category category, String detail) {
        super(detail);
        this.category = category;
    }

    Category category() {
        return category;
    }

    /** The same failure as a new exception, for a cached failure thrown again (exceptions are mutable). */
    FetchException again() {
        return new FetchException(category, getMessage());
    }

    /** Not a fault of the server: the same URL may be tried again at once, so the failure is not cached. */
    boolean ours() {
        return category == Category.BUDGET_SPENT || category == Category.BUSY;
    }
}
