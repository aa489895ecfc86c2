package org.interlude.escalation;

import java.util.UUID;

/**
 * What a trigger did: the incident it joined or opened, whether this call opened it, whether the
 * dedup key had been seen before (then nothing changed), and the incident's severity afterwards.
 */
public record TriggerOutcome(UUID incidentId, boolean opened, boolean duplicate, Severity severity) {}
