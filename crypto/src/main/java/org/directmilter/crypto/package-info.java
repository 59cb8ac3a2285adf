package org.directmilter.crypto;
