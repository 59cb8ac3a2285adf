package org.directmilter.resolver;
