package org.interlude.checkin;

import org.interlude.checkin.instrument.InstrumentCatalog;

/** The bundled instrument catalog, loaded and validated once per class loader. */
final class Catalogs {
  private Catalogs() {}

  private static final class Holder {
    static final InstrumentCatalog BUNDLED = InstrumentCatalog.loadBundled();
  }

  static InstrumentCatalog bundled() {
    return Holder.BUNDLED;
  }
}
