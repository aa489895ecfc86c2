package org.interlude.cluster;

import java.util.List;

/** Every event-bus address Interlude uses, with its payload type. */
public final class Addresses {
  private Addresses() {}

  public static final BusAddress<SessionEnded> SESSION_ENDED =
      new BusAddress<>("interlude.session.ended", SessionEnded.class, SessionEnded::read);

  public static final BusAddress<UserNudge> USER_NUDGE =
      new BusAddress<>("interlude.user.nudge", UserNudge.class, UserNudge::read);

  public static final BusAddress<AccessChanged> ACCESS_CHANGED =
      new BusAddress<>("interlude.access.changed", AccessChanged.class, AccessChanged::read);

  public static final BusAddress<KeyRingRotated> KEY_RING_ROTATED =
      new BusAddress<>("interlude.keyring.rotated", KeyRingRotated.class, KeyRingRotated::read);

  static final List<BusAddress<?>> ALL = List.of(SESSION_ENDED, USER_NUDGE, ACCESS_CHANGED, KEY_RING_ROTATED);
}
