using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>
/// The checks a rule's fields go through, shared by <see cref="CreateRule"/> and <see cref="UpdateRule"/> so the page and
/// the API report the same errors, all in one round, each under its field.
/// </summary>
internal static class RuleInput
{
    /// <summary>What the checks found: the connection (null when missing) and the clean member lists.</summary>
    public sealed record Checked(Connection? Connection, PlacementRuleKind Kind, RuleEnforcement Enforcement, List<Guid> VmIds, List<Guid> HostIds);

    public static async Task<Checked> CheckAsync(IPortalDb db, Validation check, Guid connectionId, string? name, PlacementRuleKind? kind, RuleEnforcement? enforcement,
        IReadOnlyList<Guid>? vmIds, IReadOnlyList<Guid>? hostIds, CancellationToken ct)
    {
        check.Text(name, "Name", TextLimits.Name, "Name the rule.");
        check.Require(kind is not null, "Kind", "Choose keep apart, keep together or run on host group.").Defined(kind, "Kind");
        check.Require(enforcement is not null, "Enforcement", "Choose must or should.").Defined(enforcement, "Enforcement");
        var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == connectionId, ct);
        if (connection is null) check.Add("ConnectionId", "Choose a connection that exists.");

        var vms = (vmIds ?? []).Distinct().ToList();
        var hosts = (hostIds ?? []).Distinct().ToList();
        var hostGroup = kind == PlacementRuleKind.RunOnHostGroup;
        if (vms.Count > RuleAccess.MaxMembers) check.Add("VmIds", $"Keep a rule to {RuleAccess.MaxMembers} VMs or fewer (it has {vms.Count}).");
        else if (hostGroup && vms.Count == 0) check.Add("VmIds", "Choose at least one VM.");
        else if (kind is PlacementRuleKind.KeepApart or PlacementRuleKind.KeepTogether && vms.Count < PlacementRule.MinimumPairVms)
            check.Add("VmIds", $"Choose at least {PlacementRule.MinimumPairVms} VMs: a rule between VMs needs two.");
        else if (connection is not null && vms.Count > 0)
        {
            var found = await db.Vms.AsNoTracking().Where(v => vms.Contains(v.Id)).Select(v => new { v.Id, v.ConnectionId, v.Name }).ToListAsync(ct);
            var missing = vms.Count(id => found.All(v => v.Id != id));
            if (missing > 0) check.Add("VmIds", $"{missing} of the chosen VMs {(missing == 1 ? "is" : "are")} not in the inventory (any more); reload and choose again.");
            foreach (var other in found.Where(v => v.ConnectionId != connection.Id))
                check.Add("VmIds", $"'{other.Name}' is not a VM of '{connection.Name}'; a rule holds VMs of its own connection only.");
        }

        if (hosts.Count > RuleAccess.MaxMembers) check.Add("HostIds", $"Keep a rule to {RuleAccess.MaxMembers} hosts or fewer (it has {hosts.Count}).");
        else if (!hostGroup && hosts.Count > 0 && kind is not null) check.Add("HostIds", "Only a host-group rule has hosts; clear them or choose run on host group.");
        else if (hostGroup && hosts.Count == 0) check.Add("HostIds", "Choose at least one host for the group.");
        else if (connection is not null && hosts.Count > 0)
        {
            var found = await db.Hosts.AsNoTracking().Where(h => hosts.Contains(h.Id)).Select(h => new { h.Id, h.ConnectionId, h.Name }).ToListAsync(ct);
            var missing = hosts.Count(id => found.All(h => h.Id != id));
            if (missing > 0) check.Add("HostIds", $"{missing} of the chosen hosts {(missing == 1 ? "is" : "are")} not in the inventory (any more); reload and choose again.");
            foreach (var other in found.Where(h => h.ConnectionId != connection.Id))
                check.Add("HostIds", $"'{other.Name}' is not a host of '{connection.Name}'; a rule holds hosts of its own connection only.");
        }

        return new Checked(connection, kind.GetValueOrDefault(), enforcement.GetValueOrDefault(), vms, hostGroup ? hosts : []);
    }
}
