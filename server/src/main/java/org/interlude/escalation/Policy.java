package org.interlude.escalation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * An escalation policy as configured: ordered levels, each with its targets and its waits by
 * severity, how many times the whole chain repeats, and the acknowledgement timeout (zero: an
 * acknowledged incident is never re-triggered). Pure: {@link #snapshot} resolves it against the
 * rotations at an instant, {@link #gaps} finds when a level would page nobody.
 */
public record Policy(
    UUID id,
    UUID clinicId,
    String name,
    boolean isDefault,
    int repeat,
    Duration ackTimeout,
    List<Level> levels) {

  /** Default wait for a CRITICAL incident before the next level is paged. */
  public static final Duration DEFAULT_WAIT_CRITICAL = Duration.ofMinutes(2);
  /** Default wait for a HIGH incident before the next level is paged. */
  public static final Duration DEFAULT_WAIT_HIGH = Duration.ofMinutes(15);
  /** Default time an acknowledged incident may stay unresolved before it is re-triggered. */
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofMinutes(60);

  /** One level: page every target, then wait (by severity) for an acknowledgement. */
  public record Level(Duration waitCritical, Duration waitHigh, List<Target> targets) {
    public Level {
      targets = List.copyOf(targets);
    }
  }

  /** A rotation's current on-call person, or one named staff member. Exactly one is set. */
  public record Target(UUID rotationId, UUID userId) {
    public Target {
      if ((rotationId == null) == (userId == null)) {
        throw new IllegalArgumentException("a target names a rotation or a user");
      }
    }
  }

  /** An interval in which a level resolves to nobody. */
  public record Gap(int level, Instant from, Instant to) {}

  public Policy {
    Objects.requireNonNull(ackTimeout, "ackTimeout");
    levels = List.copyOf(levels);
  }

  /**
   * The levels resolved at {@code t}: for each level the enabled users its targets name (in
   * target order, without repeats), with the level's waits.
   *
   * @param rotations the clinic's rotations by id
   * @param enabledStaff ids of the clinic's staff who are not disabled
   */
  public PolicySnapshot snapshot(Map<UUID, Rotation> rotations, Set<UUID> enabledStaff, Instant t) {
    List<PolicySnapshot.Level> out = new ArrayList<>();
    for (Level l : levels) {
      out.add(new PolicySnapshot.Level(resolve(l, rotations, enabledStaff, t), l.waitCritical(), l.waitHigh()));
    }
    return new PolicySnapshot(id, t, repeat, ackTimeout, out);
  }

  private static List<UUID> resolve(Level l, Map<UUID, Rotation> rotations, Set<UUID> enabledStaff, Instant t) {
    Set<UUID> users = new LinkedHashSet<>();
    for (Target target : l.targets()) {
      if (target.userId() != null) {
        if (enabledStaff.contains(target.userId())) {
          users.add(target.userId());
        }
      } else {
        Rotation r = rotations.get(target.rotationId());
        if (r != null) {
          r.onCallAt(t).filter(enabledStaff::contains).ifPresent(users::add);
        }
      }
    }
    return List.copyOf(users);
  }

  /**
   * Every interval of {@code [from, to)} in which a level would page nobody, merged per level and
   * ordered by level, then time.
   */
  public List<Gap> gaps(Map<UUID, Rotation> rotations, Set<UUID> enabledStaff, Instant from, Instant to) {
    TreeSet<Instant> bounds = new TreeSet<>();
    bounds.add(from);
    for (Level l : levels) {
      for (Target target : l.targets()) {
        Rotation r = target.rotationId() == null ? null : rotations.get(target.rotationId());
        if (r != null) {
          bounds.addAll(r.changesBetween(from, to));
        }
      }
    }
    List<Instant> starts = new ArrayList<>(bounds);
    List<Gap> out = new ArrayList<>();
    for (int li = 0; li < levels.size(); li++) {
      Instant gapStart = null;
      for (int i = 0; i < starts.size(); i++) {
        Instant s = starts.get(i);
        boolean empty = resolve(levels.get(li), rotations, enabledStaff, s).isEmpty();
        if (empty && gapStart == null) {
          gapStart = s;
        } else if (!empty && gapStart != null) {
          out.add(new Gap(li, gapStart, s));
          gapStart = null;
        }
      }
      if (gapStart != null) {
        out.add(new Gap(li, gapStart, to));
      }
    }
    return out;
  }
}
