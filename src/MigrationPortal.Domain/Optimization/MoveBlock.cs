namespace MigrationPortal.Domain.Optimization;

/// <summary>Why a unit cannot go to a host; counted in the plan's notes when nothing can be done.</summary>
public enum MoveBlock
{
    None,
    /// <summary>The target is its own host.</summary>
    SameHost,
    /// <summary>Another cluster, a host in maintenance or disconnected, a datastore or network it does not see, or outside a host-group rule.</summary>
    NotAllowed,
    /// <summary>CPU or memory would go above capacity less the headroom.</summary>
    Capacity,
    /// <summary>A VM of the same keep-apart rule is already there.</summary>
    KeepApart,
    /// <summary>The unit may not move at all (see <see cref="MovableUnit.FixedReason"/>).</summary>
    Fixed,
}
