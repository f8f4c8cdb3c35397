using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>
/// The placement rules, all of them or one connection's (or one rule, for the API's GET by ID), with connection, VM and host
/// names, ordered by connection and name. A requester sees only the rules that hold one of their VMs, and the other VMs
/// of such a rule without their names: they may not know those VMs exist.
/// </summary>
public sealed class ListRules(IPortalDb db, AccessGuard guard)
{
    public sealed record Query(Guid? ConnectionId = null, Guid? RuleId = null);

    /// <summary>What a requester sees in place of a VM they may not see.</summary>
    public const string HiddenVm = "(a VM of another application)";

    public async Task<IReadOnlyList<PlacementRuleView>> HandleAsync(PortalUser user, Query query, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "rule.list", ct, RuleAccess.ReadRoles);
        var rules = db.PlacementRules.AsNoTracking().Include(r => r.Vms).Include(r => r.Hosts).AsSplitQuery();
        if (query.ConnectionId is { } connectionId) rules = rules.Where(r => r.ConnectionId == connectionId);
        if (query.RuleId is { } ruleId) rules = rules.Where(r => r.Id == ruleId);
        var list = await rules.ToListAsync(ct);
        HashSet<Guid>? visible = null;
        if (!user.SeesEverything)
        {
            var memberIds = list.SelectMany(r => r.Vms.Select(m => m.VmId)).Distinct().ToList();
            visible = [.. await (await guard.VisibleVmsAsync(user, ct)).Where(v => memberIds.Contains(v.Id)).Select(v => v.Id).ToListAsync(ct)];
            list = list.Where(r => r.Vms.Any(m => visible.Contains(m.VmId))).ToList();
        }

        return await ViewsAsync(db, list, visible, ct);
    }

    /// <summary>Views of rules with their names looked up in one query per table; <paramref name="visibleVms"/> null shows every VM's name.</summary>
    internal static async Task<IReadOnlyList<PlacementRuleView>> ViewsAsync(IPortalDb db, IReadOnlyList<PlacementRule> rules, IReadOnlySet<Guid>? visibleVms, CancellationToken ct)
    {
        var connectionIds = rules.Select(r => r.ConnectionId).Distinct().ToList();
        var vmIds = rules.SelectMany(r => r.Vms.Select(m => m.VmId)).Distinct().ToList();
        var hostIds = rules.SelectMany(r => r.Hosts.Select(m => m.HostId)).Distinct().ToList();
        var connections = await db.Connections.AsNoTracking().Where(c => connectionIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var vms = await db.Vms.AsNoTracking().Where(v => vmIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => new { v.Name, v.HostName }, ct);
        var hosts = await db.Hosts.AsNoTracking().Where(h => hostIds.Contains(h.Id)).ToDictionaryAsync(h => h.Id, h => h.Name, ct);
        RuleMemberView Vm(Guid id) => visibleVms is not null && !visibleVms.Contains(id) ? new RuleMemberView(id, HiddenVm)
            : vms.TryGetValue(id, out var v) ? new RuleMemberView(id, v.Name, v.HostName) : new RuleMemberView(id, "?");
        // Ordered here, not in SQL: the names live in other tables and the lists are short.
        return rules.Select(r => new PlacementRuleView(r.Id, r.Name, r.ConnectionId, connections.GetValueOrDefault(r.ConnectionId, "?"), r.Kind, r.Enforcement,
                r.Vms.Select(m => Vm(m.VmId)).OrderBy(m => m.Name, StringComparer.Ordinal).ToList(),
                r.Hosts.Select(m => new RuleMemberView(m.HostId, hosts.GetValueOrDefault(m.HostId, "?"))).OrderBy(m => m.Name, StringComparer.Ordinal).ToList(),
                r.UpdatedBy, r.UpdatedAt, r.Version))
            .OrderBy(v => v.ConnectionName, StringComparer.Ordinal).ThenBy(v => v.Name, StringComparer.Ordinal).ToList();
    }
}
