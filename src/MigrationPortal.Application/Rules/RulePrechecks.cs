using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>
/// The portal's placement-rule findings for a move that changes a VM's host within its connection: keep apart, keep together,
/// host group (Critical when the rule is Must, Warning when Should), and the target cluster's memory headroom (a Warning: the
/// reserve is the cluster's slack, not its capacity, so a person may knowingly use it and the approver sees it; the
/// evacuation planner never proposes it). Called from <see cref="Execution.MigrationPrechecks"/>, so the wizard, the
/// approver and the run see the same findings.
/// </summary>
/// <remarks>
/// CPU headroom is not checked yet: the inventory holds CPU capacity but no CPU load. When utilisation samples exist, the
/// target host's recent CPU use plus the VM's should be held to capacity less <see cref="ClusterHeadroom.CpuPercent"/>.
/// </remarks>
public sealed class RulePrechecks(IPortalDb db)
{
    public async Task<IReadOnlyList<PrecheckFinding>> CheckAsync(MigrationPlan plan, Guid vmId, CancellationToken ct)
    {
        // Rules hold VMs and hosts of one connection: a storage-only move keeps the host, a conversion leaves the connection.
        if (plan.Kind is not (MigrationKind.Compute or MigrationKind.ComputeAndStorage) || plan.Target.HostId is not { } targetId || plan.Destination.Id != plan.Source.Id)
            return [];
        var world = await RuleWorld.LoadAsync(db, plan.Source.Id, [vmId], plan.RequestId, ct);
        if (!world.Hosts.TryGetValue(targetId, out var target)) return [];
        var findings = new List<PrecheckFinding>();
        foreach (var rule in world.RulesOf(vmId).OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            if (world.Breaks(rule, vmId, target, world.WhereIs) is { } why)
                findings.Add(new PrecheckFinding(rule.Enforcement == RuleEnforcement.Must ? FindingSeverity.Critical : FindingSeverity.Warning, CodeOf(rule.Kind), why));
        }

        if (world.HeadroomOf(target) is { MemoryPercent: > 0 } headroom && await HeadroomBrokenAsync(plan, vmId, target, headroom, ct) is { } message)
            findings.Add(new PrecheckFinding(FindingSeverity.Warning, "rule-headroom", message));
        return findings;
    }

    public static string CodeOf(PlacementRuleKind kind) => kind switch
    {
        PlacementRuleKind.KeepApart => "rule-keep-apart",
        PlacementRuleKind.KeepTogether => "rule-keep-together",
        _ => "rule-host-group",
    };

    private async Task<string?> HeadroomBrokenAsync(MigrationPlan plan, Guid vmId, Domain.Inventory.InventoryHost target, ClusterHeadroom headroom, CancellationToken ct)
    {
        var vm = await db.Vms.AsNoTracking().Where(v => v.Id == vmId).Select(v => new { v.Name, v.MemoryMb, v.HostExternalId }).FirstOrDefaultAsync(ct);
        if (vm is null || vm.HostExternalId == target.ExternalId) return null;
        // What other requests promised the host; this request's own VM is counted there once it is saved and active.
        var committed = (await HostPlacement.CommittedMbAsync(db, plan.Source.Id, ct)).GetValueOrDefault(target.ExternalId);
        var active = RequestTransitions.Active.ToArray();
        var selfCounted = plan.RequestId != Guid.Empty
            && await db.Requests.AnyAsync(r => r.Id == plan.RequestId && active.Contains(r.State) && r.Target.HostId == target.ExternalId, ct);
        var after = target.MemoryUsedMb + committed + (selfCounted ? 0 : vm.MemoryMb);
        var usable = ClusterHeadroom.UsableMemoryMb(target.MemoryMb, headroom.MemoryPercent);
        if (after <= usable) return null;
        var cluster = RuleAccess.ClusterDisplayName(headroom.ClusterName, plan.Source.Name);
        return $"Headroom of '{cluster}' keeps {headroom.MemoryPercent} % of memory free: after moving '{vm.Name}' ({vm.MemoryMb:N0} MB), host '{target.Name}' would use "
            + $"{after:N0} of {target.MemoryMb:N0} MB, above the {usable:N0} MB the headroom allows.";
    }
}
