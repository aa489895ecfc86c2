/** Composition root and process entry point: loads config, wires services and verticles in one place, runs start-up and graceful shutdown. */
package org.interlude.app;
