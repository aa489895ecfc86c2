/** PostgreSQL access: embedded or external server, Flyway migrations, the reactive pool, and the mapping of database errors to typed storage errors (NotFound, Conflict, Duplicate). */
package org.interlude.storage;
