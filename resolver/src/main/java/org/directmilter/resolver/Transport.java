package org.directmilter.resolver;

/** How one DNS exchange travelled. */
public enum Transport {
    UDP, TCP
}
