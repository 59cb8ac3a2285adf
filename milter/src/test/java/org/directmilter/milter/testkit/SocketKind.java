package org.directmilter.milter.testkit;

/** The two kinds of milter socket every MTA test runs over: TCP on 127.0.0.1, and a Unix socket. */
public enum SocketKind {
    INET,
    UNIX
}
