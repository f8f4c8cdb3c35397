namespace MigrationPortal.Domain.Optimization;

/// <summary>One cluster's consolidation as a packing problem in integers, for a solver: hosts with capacity less headroom,
/// units with the hosts they may be on (their own first), and keep-apart sets. CPU is in MHz and memory in MB, demand
/// rounded up and capacity down, so an answer that fits here fits the real figures.
/// <paramref name="VolumeBoundHostsFreed"/>: no plan can free more hosts in this cluster (the hosts left on must hold all the
/// demand). <paramref name="Restricted"/>: only the hosts most likely to be emptied are offered to the solver (the others keep
/// their VMs as fixed load), so a solver's own bound holds for this model, not for the whole cluster.</summary>
public sealed record PackingCluster(
    int Group,
    string GroupId,
    IReadOnlyList<PackingHost> Hosts,
    IReadOnlyList<PackingUnit> Units,
    IReadOnlyList<PackingApartSet> ApartSets,
    int MaxMovedVms,
    int VolumeBoundHostsFreed,
    bool Restricted)
{
    public int MovableVms => Units.Where(u => u.Hosts.Count > 1).Sum(u => u.VmCount);
}

/// <summary><paramref name="CanReceive"/> is false for a host that is empty now (emptying one host onto another frees
/// nothing) or already above its limit (it may only give VMs away). <paramref name="HasFixedLoad"/>: VMs the model does not
/// move (a broken keep-together set), so it cannot be emptied; their demand is already taken off the limits.</summary>
public sealed record PackingHost(int HostIndex, string Id, long CpuLimit, long MemLimit, bool CanReceive, bool InUse, bool HasFixedLoad);

/// <summary><paramref name="Hosts"/> are local host indices; <c>Hosts[0]</c> is the unit's current host.</summary>
public sealed record PackingUnit(int UnitIndex, long Cpu, long Mem, int VmCount, IReadOnlyList<int> Hosts)
{
    public int Current => Hosts[0];
}

/// <summary>At most <paramref name="Allowed"/>[host] of these units on a host: 1, or more where the rule is already broken
/// (the plan may leave an existing violation, never add one).</summary>
public sealed record PackingApartSet(string Rule, IReadOnlyList<int> Units, IReadOnlyList<int> Allowed);

/// <summary>How good a packing is: hosts emptied, then VMs moved (fewer is better).</summary>
public readonly record struct PackingScore(int HostsFreed, int MovedVms) : IComparable<PackingScore>
{
    public int CompareTo(PackingScore other) =>
        HostsFreed != other.HostsFreed ? HostsFreed.CompareTo(other.HostsFreed) : other.MovedVms.CompareTo(MovedVms);
}
