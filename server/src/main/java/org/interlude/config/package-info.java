/** Validated configuration records loaded from YAML with environment overrides; the only place that reads config files or variables. Secrets print as [REDACTED]. */
package org.interlude.config;
