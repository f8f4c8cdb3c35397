using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>
/// What the rule checks read, once per check: a connection's rules that hold given VMs, where each member VM is or is going
/// (an active request's target host wins over the inventory's host, since it is where the VM will be), its hosts, and the
/// headroom of its clusters. Shared by the precheck (<see cref="RulePrechecks"/>) and the evacuation planner
/// (<see cref="RuleAwarePlacement"/>), so both read a rule the same way.
/// </summary>
internal sealed class RuleWorld
{
    /// <summary>A member VM: its name and the external ID and name of the host it is on or moving to (null when unknown).</summary>
    public sealed record Member(Guid Id, string Name, string? HostExternalId, string? HostName, bool Moving);

    public required IReadOnlyList<PlacementRule> Rules { get; init; }
    public required IReadOnlyDictionary<Guid, Member> Members { get; init; }

    /// <summary>The connection's hosts by external ID (the ID a request's target carries).</summary>
    public required IReadOnlyDictionary<string, InventoryHost> Hosts { get; init; }

    /// <summary>Headroom by cluster name ("" for hosts without a cluster).</summary>
    public required IReadOnlyDictionary<string, ClusterHeadroom> Headroom { get; init; }

    public static async Task<RuleWorld> LoadAsync(IPortalDb db, Guid connectionId, IReadOnlyCollection<Guid> vmIds, Guid excludeRequestId, CancellationToken ct)
    {
        var ids = vmIds.ToList();
        var rules = await db.PlacementRules.AsNoTracking().Include(r => r.Vms).Include(r => r.Hosts).AsSplitQuery()
            .Where(r => r.ConnectionId == connectionId && r.Vms.Any(m => ids.Contains(m.VmId))).ToListAsync(ct);
        var memberIds = rules.SelectMany(r => r.Vms.Select(m => m.VmId)).Concat(ids).Distinct().ToList();
        var vms = await db.Vms.AsNoTracking().Where(v => memberIds.Contains(v.Id)).Select(v => new { v.Id, v.Name, v.HostExternalId, v.HostName }).ToListAsync(ct);
        var active = RequestTransitions.Active.ToArray();
        var moving = await db.Requests.AsNoTracking()
            .Where(r => memberIds.Contains(r.VmId) && r.Id != excludeRequestId && active.Contains(r.State) && r.Target.HostId != null)
            .Select(r => new { r.VmId, HostId = r.Target.HostId!, r.Target.HostName }).ToListAsync(ct);
        var hosts = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == connectionId).ToListAsync(ct);
        var headroom = await db.ClusterHeadrooms.AsNoTracking().Where(h => h.ConnectionId == connectionId).ToListAsync(ct);
        return new RuleWorld
        {
            Rules = rules,
            Members = vms.ToDictionary(v => v.Id, v => moving.FirstOrDefault(m => m.VmId == v.Id) is { } m
                ? new Member(v.Id, v.Name, m.HostId, m.HostName, true)
                : new Member(v.Id, v.Name, v.HostExternalId, v.HostName, false)),
            Hosts = hosts.GroupBy(h => h.ExternalId).ToDictionary(g => g.Key, g => g.First()),
            Headroom = headroom.ToDictionary(h => h.ClusterName),
        };
    }

    public string NameOf(Guid vmId) => Members.TryGetValue(vmId, out var m) ? m.Name : vmId.ToString();

    public IEnumerable<PlacementRule> RulesOf(Guid vmId) => Rules.Where(r => r.Vms.Any(m => m.VmId == vmId));

    public ClusterHeadroom? HeadroomOf(InventoryHost host) => Headroom.GetValueOrDefault(host.ClusterName ?? ClusterHeadroom.WholeConnection);

    /// <summary>
    /// Whether moving <paramref name="vmId"/> to the host breaks the rule, and why (null when it keeps it). <paramref name="whereIs"/>
    /// says where another member is or will be (null: not known, or leaving with this same plan, so it constrains nothing).
    /// </summary>
    public string? Breaks(PlacementRule rule, Guid vmId, InventoryHost target, Func<Guid, (string HostId, string? HostName, bool Moving)?> whereIs)
    {
        var others = rule.Vms.Select(m => m.VmId).Where(id => id != vmId).ToList();
        var label = $"Rule '{rule.Name}' ({RuleAccess.Describe(rule.Enforcement)} {RuleAccess.Describe(rule.Kind)})";
        switch (rule.Kind)
        {
            case PlacementRuleKind.KeepApart:
            {
                var clash = others.Select(id => (Id: id, At: whereIs(id))).Where(o => o.At?.HostId == target.ExternalId).ToList();
                if (clash.Count == 0) return null;
                var what = string.Join(", ", clash.Select(o => o.At!.Value.Moving ? $"'{NameOf(o.Id)}' has an active request to move there" : $"'{NameOf(o.Id)}' already runs there"));
                return $"{label}: '{NameOf(vmId)}' must not share host '{target.Name}' with {string.Join(", ", others.Select(id => $"'{NameOf(id)}'"))}; {what}.";
            }
            case PlacementRuleKind.KeepTogether:
            {
                var away = others.Select(id => (Id: id, At: whereIs(id))).Where(o => o.At is { } at && at.HostId != target.ExternalId).ToList();
                if (away.Count == 0) return null;
                return $"{label}: moving '{NameOf(vmId)}' to host '{target.Name}' separates it from "
                    + string.Join(", ", away.Select(o => $"'{NameOf(o.Id)}' on '{o.At!.Value.HostName ?? o.At.Value.HostId}'")) + ".";
            }
            case PlacementRuleKind.RunOnHostGroup:
            {
                if (rule.Hosts.Any(h => h.HostId == target.Id)) return null;
                var group = Hosts.Values.Where(h => rule.Hosts.Any(m => m.HostId == h.Id)).Select(h => $"'{h.Name}'").Order(StringComparer.Ordinal);
                return $"{label}: '{NameOf(vmId)}' runs on {string.Join(", ", group)}; host '{target.Name}' is not in the group.";
            }
            default:
                return null;
        }
    }

    /// <summary>Where a member is by the inventory and active requests, for a single move (the precheck).</summary>
    public (string HostId, string? HostName, bool Moving)? WhereIs(Guid vmId) =>
        Members.TryGetValue(vmId, out var m) && m.HostExternalId is { } host ? (host, m.HostName, m.Moving) : null;
}
