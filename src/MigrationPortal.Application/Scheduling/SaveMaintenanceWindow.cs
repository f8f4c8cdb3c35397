using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>An Operator or Administrator adds a maintenance window (no ID) or edits one. Windows need a scope.</summary>
public sealed class SaveMaintenanceWindow(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public async Task<CalendarPeriodView> HandleAsync(PortalUser user, Guid? id, CalendarPeriodInput input, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "window.save", ct, Roles.Operator, Roles.Administrator);
        var window = id is { } existing
            ? await db.MaintenanceWindows.FirstOrDefaultAsync(w => w.Id == existing, ct) ?? throw new NotFoundException("Maintenance window", existing)
            : null;
        // A taken name is reported in the same round as every other field, not after they are fixed.
        var name = input.Name?.Trim() ?? "";
        var taken = TextRules.Fits(name, TextLimits.WindowName) && name.Length > 0
            && await db.MaintenanceWindows.AnyAsync(w => w.Name == name && w.Id != (id ?? Guid.Empty), ct);
        var scope = await CalendarPeriodValidation.ValidateAsync(db, input, scopeRequired: true, ct, taken ? $"A window named '{name}' already exists." : null);

        // Disabling strands the requests scheduled into the window just as deleting would.
        if (window is { Enabled: true } && !input.Enabled) await WindowDependents.ThrowIfAnyAsync(db, window, "disabled", ct);

        var now = time.GetUtcNow();
        if (window is null) db.MaintenanceWindows.Add(window = new MaintenanceWindow());
        window.Define(name, input.Recurrence, input.Expression, input.TimeZoneId, input.LocalStart, TimeSpan.FromMinutes(input.DurationMinutes), scope, input.Enabled, user.AsActor(), now);
        AuditLog.Record(db, now, user.AsActor(), AuditActions.ConfigChanged, nameof(MaintenanceWindow), window.Id.ToString(),
            new { change = id is null ? "created" : "edited", window.Name, recurrence = window.Recurrence.ToString(), window.Expression, window.TimeZoneId, localStart = window.LocalStart, window.DurationMinutes, scope = scope?.Describe(), window.Enabled });
        await db.SaveChangesAsync(ct);
        return CalendarPeriodView.Of(window, now);
    }
}
