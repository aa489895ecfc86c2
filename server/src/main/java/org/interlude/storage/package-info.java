/**
 * PostgreSQL access: embedded or external server, Flyway migrations, the reactive pools (the main
 * one and the urgent one for crisis work, {@link org.interlude.storage.Urgent}), statements sent
 * together ({@link org.interlude.storage.Flight}), and the mapping of database errors to typed
 * storage errors (NotFound, Conflict, Duplicate).
 */
package org.interlude.storage;
