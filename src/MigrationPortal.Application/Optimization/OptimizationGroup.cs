using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Application.Rules;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Optimization;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Rules;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Application.Optimization;

/// <summary>
/// One cluster (vSphere) or host group (KVM: the connection's hosts without a cluster, as the rules page names them) read
/// from the inventory as the optimizer's <see cref="PlacementProblem"/>, with the rows the what-if needs to name things.
/// </summary>
/// <remarks>
/// What becomes of the inventory, and why:
/// <list type="bullet">
/// <item>Host CPU capacity is the latest host sample's (cores × clock); without one, cores × <see cref="OptimizationOptions.DefaultMhzPerCore"/>.</item>
/// <item>VM demand is the mean of its samples over the lookback; a VM with none counts at its configured vCPUs and memory
/// (so it is never under-counted), and the result says how many VMs were counted each way.</item>
/// <item>A host in maintenance, not connected or not powered on is no target (<see cref="HostPlacement.CanTakeVms"/>, as evacuation).</item>
/// <item>Compute-only moves: a host offers the datastores it mounts and the networks the inventory lists on it. A network
/// the inventory does not list at all (a connector that reports none) constrains nothing, and a note says so.</item>
/// <item>A powered-off VM uses no CPU or memory on its host and stays where it is; a VM with an active request is pinned.</item>
/// <item>Rules: the connection's portal rules, narrowed to this group's VMs and hosts; headroom is the group's own.</item>
/// </list>
/// </remarks>
internal sealed class OptimizationGroup
{
    public required Connection Connection { get; init; }
    public required string ClusterName { get; init; }
    public required string DisplayName { get; init; }
    public required PlacementProblem Problem { get; init; }
    public required IReadOnlyDictionary<string, InventoryHost> HostsByExternalId { get; init; }
    public required IReadOnlyDictionary<Guid, InventoryVm> Vms { get; init; }
    public required int VmsMeasured { get; init; }
    public required int VmsConfigured { get; init; }

    /// <summary>The VMs counted at their configured size, for want of samples.</summary>
    public required IReadOnlySet<Guid> ConfiguredVmIds { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>Loads the group, or throws <see cref="NotFoundException"/> when the connection or the cluster has no hosts.</summary>
    public static async Task<OptimizationGroup> LoadAsync(IPortalDb db, Guid connectionId, string? clusterName, OptimizationOptions options, DateTimeOffset now,
        CancellationToken ct)
    {
        var cluster = clusterName?.Trim() ?? ClusterHeadroom.WholeConnection;
        var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == connectionId, ct) ?? throw new NotFoundException("Connection", connectionId);
        var hosts = cluster == ClusterHeadroom.WholeConnection
            ? await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == connectionId && (h.ClusterName == null || h.ClusterName == "")).OrderBy(h => h.Name).ToListAsync(ct)
            : await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == connectionId && h.ClusterName == cluster).OrderBy(h => h.Name).ToListAsync(ct);
        if (hosts.Count == 0) throw new NotFoundException("Cluster or host group", cluster == "" ? $"{connection.Name} (hosts without a cluster)" : cluster);

        var groupId = RuleAccess.ClusterDisplayName(cluster, connection.Name);
        var hostIds = hosts.Select(h => h.Id).ToList();
        var externalIds = hosts.Select(h => h.ExternalId).ToList();
        var vms = await db.Vms.AsNoTracking().Where(v => v.ConnectionId == connectionId && v.HostExternalId != null && externalIds.Contains(v.HostExternalId))
            .OrderBy(v => v.Name).ToListAsync(ct);
        var vmIds = vms.Select(v => v.Id).ToList();
        var active = RequestTransitions.Active.ToArray();
        var busy = (await db.Requests.AsNoTracking().Where(r => vmIds.Contains(r.VmId) && active.Contains(r.State)).Select(r => r.VmId).ToListAsync(ct)).ToHashSet();

        // Samples: the latest per host for its capacity, the mean over the lookback per VM for its demand.
        var since = (now - options.Lookback).ToUnixTimeSeconds();
        var hostSamples = await db.UtilisationSamples.AsNoTracking().Where(s => hostIds.Contains(s.SubjectId) && s.SlotStart >= since && s.CpuCapacityMhz != null)
            .Select(s => new { s.SubjectId, s.SlotStart, s.CpuCapacityMhz }).ToListAsync(ct);
        var hostCapacity = hostSamples.GroupBy(s => s.SubjectId).ToDictionary(g => g.Key, g => (double)g.MaxBy(s => s.SlotStart)!.CpuCapacityMhz!.Value);
        var vmSamples = await db.UtilisationSamples.AsNoTracking().Where(s => vmIds.Contains(s.SubjectId) && s.SlotStart >= since)
            .Select(s => new { s.SubjectId, s.CpuUsedMhz, s.MemoryUsedMb, s.SampleCount }).ToListAsync(ct);
        // Weighted by how many readings a slot averages, so an hourly slot counts as the twelve readings it stands for.
        var vmDemand = vmSamples.GroupBy(s => s.SubjectId).ToDictionary(g => g.Key, g =>
        {
            double weight = g.Sum(s => Math.Max(1, (int)s.SampleCount));
            return (Cpu: g.Sum(s => s.CpuUsedMhz * Math.Max(1, (int)s.SampleCount)) / weight, Memory: g.Sum(s => s.MemoryUsedMb * Math.Max(1, (int)s.SampleCount)) / weight);
        });

        var stores = await db.Datastores.AsNoTracking().Where(d => d.ConnectionId == connectionId).ToListAsync(ct);
        var networks = await db.Networks.AsNoTracking().Where(n => n.ConnectionId == connectionId).ToListAsync(ct);
        var knownNetworks = networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var emptying = await HostPlacement.BeingEmptiedAsync(db, connectionId, ct);
        var notes = new List<string>();

        var placementHosts = hosts.Select(h =>
        {
            var cpu = hostCapacity.TryGetValue(h.Id, out var measured) && measured > 0 ? measured : Math.Max(1, h.CpuCores) * (double)options.DefaultMhzPerCore;
            var mounted = stores.Where(d => d.Accessible && HostPlacement.MountedOn(d, h)).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
            var nets = networks.Where(n => Split(n.Hosts).Contains(h.Name)).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            var usable = HostPlacement.CanTakeVms(h) && !emptying.Contains(h.ExternalId);
            return new PlacementHost(h.ExternalId, groupId, cpu, Math.Max(1, h.MemoryMb), usable, mounted, nets, options.WattsPerHost);
        }).ToList();
        var cpuPerCore = hosts.ToDictionary(h => h.ExternalId, h => placementHosts.First(p => p.Id == h.ExternalId).CpuCapacityMhz / Math.Max(1, h.CpuCores));

        int measuredCount = 0, configuredCount = 0;
        var configured = new HashSet<Guid>();
        var unknownNetworks = new SortedSet<string>(StringComparer.Ordinal);
        var placementVms = vms.Select(v =>
        {
            var nets = Split(v.Networks);
            unknownNetworks.UnionWith(nets.Where(n => !knownNetworks.Contains(n)));
            var off = v.PowerState != PowerState.On;
            double cpu, memory;
            if (off) (cpu, memory) = (0, 0);
            else if (vmDemand.TryGetValue(v.Id, out var d)) { (cpu, memory) = (d.Cpu, d.Memory); measuredCount++; }
            else { (cpu, memory) = (Math.Max(1, v.Cpus) * cpuPerCore[v.HostExternalId!], v.MemoryMb); configuredCount++; configured.Add(v.Id); }
            string? pinned = off ? "powered off: it uses nothing on its host" : busy.Contains(v.Id) ? "it already has an active request" : null;
            return new PlacementVm(v.Id.ToString(), v.HostExternalId!, cpu, memory, Split(v.Datastores), nets.Where(knownNetworks.Contains).ToList(), pinned is null, pinned);
        }).ToList();
        if (unknownNetworks.Count > 0)
            notes.Add($"The inventory lists no hosts for network(s) {string.Join(", ", unknownNetworks)}; they were not used to restrict targets.");

        var rules = await LoadRulesAsync(db, connectionId, hosts, vms, placementVms, notes, ct);
        var headroomRow = await db.ClusterHeadrooms.AsNoTracking().FirstOrDefaultAsync(h => h.ConnectionId == connectionId && h.ClusterName == cluster, ct);
        var headroom = headroomRow is null ? Headroom.None : new Headroom(headroomRow.CpuPercent, headroomRow.MemoryPercent);

        return new OptimizationGroup
        {
            Connection = connection,
            ClusterName = cluster,
            DisplayName = groupId,
            Problem = new PlacementProblem(placementHosts, placementVms, rules, new Dictionary<string, Headroom> { [groupId] = headroom }),
            HostsByExternalId = hosts.ToDictionary(h => h.ExternalId),
            Vms = vms.ToDictionary(v => v.Id),
            VmsMeasured = measuredCount,
            VmsConfigured = configuredCount,
            ConfiguredVmIds = configured,
            Notes = notes,
        };
    }

    /// <summary>
    /// The portal's rules as the optimizer reads them, narrowed to this group: a member VM outside the group neither moves
    /// nor shares a host with these VMs, so it constrains nothing here. A host-group rule none of whose hosts is in this
    /// group pins its VMs where they are (the optimizer never crosses a cluster).
    /// </summary>
    private static async Task<List<Domain.Optimization.PlacementRule>> LoadRulesAsync(IPortalDb db, Guid connectionId, List<InventoryHost> hosts, List<InventoryVm> vms,
        List<PlacementVm> placementVms, List<string> notes, CancellationToken ct)
    {
        var vmIds = vms.Select(v => v.Id).ToHashSet();
        var hostExternal = hosts.ToDictionary(h => h.Id, h => h.ExternalId);
        var rows = await db.PlacementRules.AsNoTracking().Include(r => r.Vms).Include(r => r.Hosts).AsSplitQuery()
            .Where(r => r.ConnectionId == connectionId).OrderBy(r => r.Name).ToListAsync(ct);
        var rules = new List<Domain.Optimization.PlacementRule>();
        foreach (var row in rows)
        {
            var members = row.Vms.Select(m => m.VmId).Where(vmIds.Contains).Select(id => id.ToString()).ToList();
            if (members.Count == 0) continue;
            var strength = row.Enforcement == RuleEnforcement.Must ? RuleStrength.Must : RuleStrength.Should;
            switch (row.Kind)
            {
                case Domain.Rules.PlacementRuleKind.KeepApart when members.Count > 1:
                    rules.Add(Domain.Optimization.PlacementRule.KeepApart(row.Name, members, strength));
                    break;
                case Domain.Rules.PlacementRuleKind.KeepTogether when members.Count > 1:
                    rules.Add(Domain.Optimization.PlacementRule.KeepTogether(row.Name, members, strength));
                    break;
                case Domain.Rules.PlacementRuleKind.RunOnHostGroup:
                    var ruleHosts = row.Hosts.Select(h => h.HostId).Where(hostExternal.ContainsKey).Select(id => hostExternal[id]).ToHashSet(StringComparer.Ordinal);
                    if (ruleHosts.Count > 0)
                    {
                        rules.Add(Domain.Optimization.PlacementRule.RunOnHostGroup(row.Name, members, ruleHosts, strength));
                        break;
                    }
                    for (var i = 0; i < placementVms.Count; i++)
                        if (members.Contains(placementVms[i].Id) && placementVms[i].Movable)
                            placementVms[i] = placementVms[i] with { Movable = false, PinnedReason = $"rule '{row.Name}' names no host of this group" };
                    notes.Add($"Rule '{row.Name}' names no host of this group: its VMs here stay where they are.");
                    break;
            }
        }
        return rules;
    }

    public string HostName(string externalId) => HostsByExternalId.TryGetValue(externalId, out var h) ? h.Name : externalId;

    private static List<string> Split(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
}
