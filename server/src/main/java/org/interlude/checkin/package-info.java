/** Check-in instruments, scoring, plans relative to dosing sessions, the durable prompt scheduler and the FHIR export. */
package org.interlude.checkin;
