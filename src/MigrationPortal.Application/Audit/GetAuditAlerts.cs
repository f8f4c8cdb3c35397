using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Audit;

/// <summary>
/// The chain anomalies an auditor has not yet seen resolved: every <see cref="AuditActions.ChainAnomaly"/> event written
/// after the last verification that found the chain intact, newest first. The audit page shows them as a banner, so the
/// alert stays until the chain verifies intact again (after the forged rows are removed and the head restored), not
/// merely until someone has looked.
/// </summary>
public sealed record AuditAlert(long Sequence, DateTimeOffset At, long? FirstUnchained, string Message);

/// <inheritdoc cref="GetAuditAlerts"/>
public sealed class GetAuditAlerts(IPortalDb db, AccessGuard guard)
{
    public const int MaxAlerts = 20;

    // How VerifyAuditChain's details start when the chain was intact: System.Text.Json writes the properties in declaration order.
    private const string IntactVerdict = "{\"intact\":true";

    public async Task<IReadOnlyList<AuditAlert>> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "audit.alerts", ct, Roles.Auditor, Roles.Administrator);
        var events = db.AuditEvents.AsNoTracking();
        var lastIntact = await events.Where(e => e.Action == AuditActions.AuditVerified && e.Details.StartsWith(IntactVerdict))
            .MaxAsync(e => (long?)e.Sequence, ct) ?? 0;
        var alerts = await events.Where(e => e.Action == AuditActions.ChainAnomaly && e.Sequence > lastIntact)
            .OrderByDescending(e => e.Sequence).Take(MaxAlerts).ToListAsync(ct);
        return alerts.Select(ToAlert).ToList();
    }

    private static AuditAlert ToAlert(MigrationPortal.Domain.Audit.AuditEvent e)
    {
        // Written by the portal's own unit of work (PortalDbContext), but read defensively: a forger can write this action too.
        long? first = null;
        var message = e.Details;
        try
        {
            using var json = JsonDocument.Parse(e.Details);
            if (json.RootElement.TryGetProperty("firstUnchained", out var f) && f.TryGetInt64(out var n)) first = n;
            if (json.RootElement.TryGetProperty("problem", out var p) && p.ValueKind == JsonValueKind.String) message = p.GetString()!;
        }
        catch (JsonException)
        {
        }

        return new AuditAlert(e.Sequence, e.At, first, message);
    }
}
