package org.interlude.bench;

/** A user of a target: its id, its session cookie (Interlude) and conversation (relays). */
record Identity(String user, String userId, String cookie, String conversation) {}
