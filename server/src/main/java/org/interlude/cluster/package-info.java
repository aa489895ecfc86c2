/** Hazelcast cluster membership, the mutual-TLS event bus, typed bus addresses and presence. Carries no PHI. */
package org.interlude.cluster;
