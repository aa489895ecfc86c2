/** The append-only, hash-chained audit log and its verifier. */
package org.interlude.audit;
