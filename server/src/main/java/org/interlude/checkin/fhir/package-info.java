/**
 * FHIR R4 export of check-in results: a Bundle of type {@code collection} holding a
 * QuestionnaireResponse and LOINC-coded Observations per result, referring to the client only as an
 * opaque {@code Patient/<id>}.
 *
 * <p>Built with Vert.x {@link io.vertx.core.json.JsonObject} rather than the HAPI FHIR structures,
 * which would add about 59 MB of jars (see {@link org.interlude.checkin.fhir.FhirBundleExporter}).
 */
package org.interlude.checkin.fhir;
