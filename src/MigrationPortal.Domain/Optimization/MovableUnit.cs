namespace MigrationPortal.Domain.Optimization;

/// <summary>What moves as one: a single VM, or the VMs bound by keep-together rules (they must land on the same host).
/// <see cref="AllowedHosts"/> are the hosts other than its own that it may go to: same cluster, usable, seeing every
/// datastore and network of its VMs, inside every host-group rule of its VMs.</summary>
public sealed class MovableUnit
{
    internal MovableUnit(int index, int[] vms, double cpu, double memory, int host, int group, string label)
    {
        Index = index;
        Vms = vms;
        CpuMhz = cpu;
        MemoryMb = memory;
        OriginalHost = host;
        Group = group;
        Label = label;
    }

    public int Index { get; }
    public IReadOnlyList<int> Vms { get; }
    public double CpuMhz { get; }
    public double MemoryMb { get; }
    /// <summary>Host index before any move; -1 when the unit's VMs are split over hosts (a keep-together rule already broken).</summary>
    public int OriginalHost { get; }
    public int Group { get; }
    public string Label { get; }
    public bool Movable => FixedReason is null;
    public string? FixedReason { get; internal set; }
    public IReadOnlyList<int> AllowedHosts { get; internal set; } = [];
    internal int[] ApartRules { get; set; } = [];
}
