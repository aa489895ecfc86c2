/** HTTPS and WebSocket adapters: routes, frame dispatch, validation against the published schemas, security headers, and the single mapping from typed errors to HTTP statuses and error frames. */
package org.interlude.web;
