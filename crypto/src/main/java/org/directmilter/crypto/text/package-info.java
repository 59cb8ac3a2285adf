/** Text from outside (certificates, URLs, servers) made safe to write into a log line. */
package org.directmilter.crypto.text;
