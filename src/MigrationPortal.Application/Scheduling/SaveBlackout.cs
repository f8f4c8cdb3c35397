using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>An Operator or Administrator adds a blackout (a change freeze; no ID) or edits one. Without a scope it covers everything.</summary>
public sealed class SaveBlackout(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public async Task<CalendarPeriodView> HandleAsync(PortalUser user, Guid? id, CalendarPeriodInput input, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "blackout.save", ct, Roles.Operator, Roles.Administrator);
        var blackout = id is { } existing
            ? await db.Blackouts.FirstOrDefaultAsync(w => w.Id == existing, ct) ?? throw new NotFoundException("Blackout", existing)
            : null;
        // A taken name is reported in the same round as every other field, not after they are fixed.
        var name = input.Name?.Trim() ?? "";
        var taken = TextRules.Fits(name, TextLimits.WindowName) && name.Length > 0
            && await db.Blackouts.AnyAsync(w => w.Name == name && w.Id != (id ?? Guid.Empty), ct);
        var scope = await CalendarPeriodValidation.ValidateAsync(db, input, scopeRequired: false, ct, taken ? $"A blackout named '{name}' already exists." : null);

        var now = time.GetUtcNow();
        if (blackout is null) db.Blackouts.Add(blackout = new Blackout());
        blackout.Define(name, input.Recurrence, input.Expression, input.TimeZoneId, input.LocalStart, TimeSpan.FromMinutes(input.DurationMinutes), scope, input.Enabled, user.AsActor(), now);
        AuditLog.Record(db, now, user.AsActor(), AuditActions.ConfigChanged, nameof(Blackout), blackout.Id.ToString(),
            new { change = id is null ? "created" : "edited", blackout.Name, recurrence = blackout.Recurrence.ToString(), blackout.Expression, blackout.TimeZoneId, localStart = blackout.LocalStart, blackout.DurationMinutes, scope = scope?.Describe(), blackout.Enabled });
        await db.SaveChangesAsync(ct);
        return CalendarPeriodView.Of(blackout, now);
    }
}
