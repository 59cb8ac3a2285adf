/**
 * The JVM's JCA providers: {@link org.directmilter.crypto.jca.NativeProvider} puts a native-backed one (Amazon
 * Corretto Crypto Provider) first when the operator asks for it, and falls back to the JDK's when it cannot load.
 *
 * <p>Imports nothing else of ours. Like all of crypto, never imports resolver or milter.
 */
package org.directmilter.crypto.jca;
