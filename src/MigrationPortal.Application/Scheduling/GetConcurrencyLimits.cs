using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Scheduling;

/// <summary>One limit as the limits page shows it: its value in force, its kind's default, and who set it (null: the default).</summary>
public sealed record LimitRowView(string Kind, string Resource, string Label, string? HelpText, int Value, int Default, string? UpdatedBy, DateTimeOffset? UpdatedAt)
{
    /// <summary>The field name errors are keyed by: <c>kind.resource</c>.</summary>
    public string Field => LimitField.Of(Kind, Resource);
}

/// <summary>The limits of one kind (or of the portal as a whole), in the order its descriptor lists them.</summary>
public sealed record LimitKindView(string Kind, string DisplayName, IReadOnlyList<LimitRowView> Limits);

public sealed record ConcurrencyLimitsView(IReadOnlyList<LimitKindView> Kinds, IReadOnlyList<ResourceInUse> InUse)
{
    /// <summary>The value in force of one limit; throws for a limit no installed kind defines.</summary>
    public int Value(string kind, string resource) =>
        Kinds.Single(k => k.Kind == kind).Limits.Single(l => l.Resource == resource).Value;
}

/// <summary>How many units of one resource running migrations hold now.</summary>
public sealed record ResourceInUse(string Resource, string Label, int Units);

/// <summary>The field key of a limit in validation errors and forms.</summary>
public static class LimitField
{
    public static string Of(string kind, string resource) => $"{kind}.{resource}";
}

/// <summary>The concurrency limits of the portal and of every installed kind (defaults where none is set) and what running migrations hold now.</summary>
public sealed class GetConcurrencyLimits(IPortalDb db, AccessGuard guard, IConnectorKinds kinds)
{
    public async Task<ConcurrencyLimitsView> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "limits.view", ct, Roles.Operator, Roles.Administrator, Roles.Auditor);
        var table = new LimitTable(await db.ConcurrencyLimits.AsNoTracking().ToListAsync(ct), kinds);
        var inUse = await db.CapacitySlots.AsNoTracking().GroupBy(s => new { s.Resource, s.ResourceName })
            .Select(g => new ResourceInUse(g.Key.Resource, g.Key.ResourceName, g.Count())).ToListAsync(ct);
        return new ConcurrencyLimitsView(Of(table, kinds), inUse.OrderBy(r => r.Label).ToList());
    }

    internal static IReadOnlyList<LimitKindView> Of(LimitTable table, IConnectorKinds kinds) =>
        new[] { (Kind: PortalLimits.Kind, Name: "Portal") }.Concat(kinds.All.Select(d => (d.Kind, Name: d.DisplayName)))
            .Select(k => new LimitKindView(k.Kind, k.Name, LimitTable.DefinitionsOf(k.Kind, kinds)!.Select(d =>
            {
                var row = table.Row(k.Kind, d.Resource);
                return new LimitRowView(k.Kind, d.Resource, d.Label, d.HelpText, row?.Value ?? d.Default, d.Default, row?.UpdatedBy, row?.UpdatedAt);
            }).ToList()))
            .Where(k => k.Limits.Count > 0).ToList();
}
