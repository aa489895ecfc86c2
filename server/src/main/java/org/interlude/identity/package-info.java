/** Clinics, users, roles, care teams, sessions, invitations, login throttling and the authorisation checks every service calls before touching an object. */
package org.interlude.identity;
