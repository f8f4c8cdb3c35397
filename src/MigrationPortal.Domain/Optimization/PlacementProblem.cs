namespace MigrationPortal.Domain.Optimization;

/// <summary>The input of every strategy: hosts, VMs on them, rules and headroom. The constructor checks that it is
/// consistent and throws <see cref="ArgumentException"/> naming the first fault, so a plan never starts from bad data.</summary>
public sealed class PlacementProblem
{
    public PlacementProblem(
        IReadOnlyList<PlacementHost> hosts,
        IReadOnlyList<PlacementVm> vms,
        IReadOnlyList<PlacementRule>? rules = null,
        IReadOnlyDictionary<string, Headroom>? headroomByGroup = null,
        Headroom? defaultHeadroom = null)
    {
        Hosts = hosts;
        Vms = vms;
        Rules = rules ?? [];
        HeadroomByGroup = headroomByGroup ?? new Dictionary<string, Headroom>();
        DefaultHeadroom = defaultHeadroom ?? Headroom.None;

        var hostIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < hosts.Count; i++)
        {
            var h = hosts[i];
            if (string.IsNullOrWhiteSpace(h.Id) || string.IsNullOrWhiteSpace(h.GroupId))
                throw new ArgumentException($"Host #{i + 1} has no id or no cluster/host group.");
            if (!hostIndex.TryAdd(h.Id, i))
                throw new ArgumentException($"Host '{h.Id}' is listed twice.");
            if (!(h.CpuCapacityMhz > 0) || !(h.MemoryCapacityMb > 0))
                throw new ArgumentException($"Host '{h.Id}' must have a CPU and memory capacity above zero.");
            if (h.Watts is < 0)
                throw new ArgumentException($"Host '{h.Id}' has a negative power draw.");
        }
        var vmIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < vms.Count; i++)
        {
            var v = vms[i];
            if (string.IsNullOrWhiteSpace(v.Id))
                throw new ArgumentException($"VM #{i + 1} has no id.");
            if (!vmIndex.TryAdd(v.Id, i))
                throw new ArgumentException($"VM '{v.Id}' is listed twice.");
            if (!hostIndex.ContainsKey(v.HostId))
                throw new ArgumentException($"VM '{v.Id}' runs on host '{v.HostId}', which is not in the problem.");
            if (!(v.CpuDemandMhz >= 0) || !(v.MemoryDemandMb >= 0))
                throw new ArgumentException($"VM '{v.Id}' must have a CPU and memory demand of zero or more.");
        }
        foreach (var r in Rules)
        {
            if (r.VmIds.Count == 0)
                throw new ArgumentException($"Rule '{r.Name}' names no VM.");
            foreach (var id in r.VmIds.Where(id => !vmIndex.ContainsKey(id)))
                throw new ArgumentException($"Rule '{r.Name}' names VM '{id}', which is not in the problem.");
            if (r.Kind == PlacementRuleKind.RunOnHostGroup)
            {
                if (r.HostIds is null || r.HostIds.Count == 0)
                    throw new ArgumentException($"Rule '{r.Name}' must name the hosts of its host group.");
                foreach (var id in r.HostIds.Where(id => !hostIndex.ContainsKey(id)))
                    throw new ArgumentException($"Rule '{r.Name}' names host '{id}', which is not in the problem.");
            }
        }
        DefaultHeadroom.Validate("the default");
        foreach (var (group, headroom) in HeadroomByGroup)
            headroom.Validate($"'{group}'");
        HostIndex = hostIndex;
        VmIndex = vmIndex;
    }

    public IReadOnlyList<PlacementHost> Hosts { get; }
    public IReadOnlyList<PlacementVm> Vms { get; }
    public IReadOnlyList<PlacementRule> Rules { get; }
    public IReadOnlyDictionary<string, Headroom> HeadroomByGroup { get; }
    public Headroom DefaultHeadroom { get; }
    public IReadOnlyDictionary<string, int> HostIndex { get; }
    public IReadOnlyDictionary<string, int> VmIndex { get; }

    public Headroom HeadroomFor(string groupId) => HeadroomByGroup.TryGetValue(groupId, out var h) ? h : DefaultHeadroom;
}
