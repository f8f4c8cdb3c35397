using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// An Administrator sets some concurrency limits, each a row keyed by (kind, resource); limits not named keep their value.
/// A lower limit applies to new starts; migrations already running keep their slots and finish.
/// </summary>
public sealed class SetConcurrencyLimits(IPortalDb db, AccessGuard guard, IConnectorKinds kinds, TimeProvider time)
{
    /// <summary>One limit to set: <paramref name="Kind"/> is a connection kind or <c>portal</c>; <paramref name="Resource"/> one the kind defines.</summary>
    public sealed record LimitValue(string Kind, string Resource, int Value);

    public sealed record Command(IReadOnlyList<LimitValue> Limits);

    public async Task<ConcurrencyLimitsView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "limits.edit", ct, Roles.Administrator);
        var check = new Validation();
        // JSON may leave a name out; an empty name is then reported as unknown rather than failing on null.
        var limits = (command.Limits ?? []).Select(l => l with { Kind = l.Kind ?? "", Resource = l.Resource ?? "" }).ToList();
        check.Require(limits.Count > 0, nameof(command.Limits), "Name at least one limit to set.");
        foreach (var limit in limits)
        {
            var field = LimitField.Of(limit.Kind, limit.Resource);
            var definitions = LimitTable.DefinitionsOf(limit.Kind, kinds);
            if (definitions is null)
                check.Add(field, $"'{limit.Kind}' is not an installed connection kind; the kinds are: {string.Join(", ", new[] { PortalLimits.Kind }.Concat(kinds.All.Select(k => k.Kind)))}.");
            else if (definitions.All(d => d.Resource != limit.Resource))
                check.Add(field, $"Kind '{limit.Kind}' has no limit '{limit.Resource}'; it has: {string.Join(", ", definitions.Select(d => d.Resource))}.");
            check.Require(limit.Value is >= 1 and <= ConcurrencyLimit.Maximum, field, $"Enter a whole number from 1 to {ConcurrencyLimit.Maximum:N0}.");
        }

        foreach (var duplicate in limits.GroupBy(l => LimitField.Of(l.Kind, l.Resource)).Where(g => g.Count() > 1))
            check.Add(duplicate.Key, "This limit is named twice; name it once.");

        var rows = await db.ConcurrencyLimits.ToListAsync(ct);
        var table = new LimitTable(rows, kinds);
        // A kind's cross-field rules (a cost within its budget) are checked on the values the save would leave in force,
        // in the same pass, so every problem is shown at once.
        foreach (var kind in limits.Select(l => l.Kind).Distinct().Where(k => kinds.Find(k) is not null))
        {
            var values = table.ValuesOf(kind);
            foreach (var limit in limits.Where(l => l.Kind == kind && values.ContainsKey(l.Resource))) values[limit.Resource] = limit.Value;
            var rules = new Validation();
            kinds.Find(kind)?.ValidateLimits(values, rules);
            foreach (var (resource, messages) in rules.Errors)
                foreach (var message in messages) check.Add(LimitField.Of(kind, resource), message);
        }

        check.ThrowIfInvalid();

        var now = time.GetUtcNow();
        foreach (var limit in limits)
        {
            var row = table.Row(limit.Kind, limit.Resource);
            if (row is null) db.ConcurrencyLimits.Add(new ConcurrencyLimit(limit.Kind, limit.Resource, limit.Value, user.AsActor(), now));
            else row.Set(limit.Value, user.AsActor(), now);
        }

        AuditLog.Record(db, now, user.AsActor(), AuditActions.ConfigChanged, nameof(ConcurrencyLimit), null, new { limits });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new ConflictException("Another administrator saved the limits at the same moment; reload and try again.");
        }

        return new ConcurrencyLimitsView(GetConcurrencyLimits.Of(new LimitTable(await db.ConcurrencyLimits.AsNoTracking().ToListAsync(ct), kinds), kinds), []);
    }
}
