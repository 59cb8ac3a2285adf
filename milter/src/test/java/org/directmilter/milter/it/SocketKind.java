package org.directmilter.milter.it;

/** The two kinds of milter socket every MTA test runs over: TCP on 127.0.0.1, and a Unix socket. */
enum SocketKind {
    INET,
    UNIX
}
